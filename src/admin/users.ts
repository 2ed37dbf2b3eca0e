import { Hono } from "hono";
import type { AppEnv } from "../http/app-env";
import { OAuthError } from "../protocol/errors";
import { formatScope } from "../protocol/scope";
import { securityEvent } from "../http/security-events";
import type { GrantRecord } from "../storage/grant-types";
import { closeUserGrants, listUserGrants, revokeUserGrants } from "../storage/grants";
import {
  NewUserSchema,
  createUser,
  deleteUser,
  getUser,
  listUsers,
  publicUser,
} from "../storage/users";
import { jsonBody } from "../http/json-body";
import { pageQuery } from "./pagination";

const noSuchUser = () => new OAuthError("not_found", "No such user");

/** /admin/users: the users who log in with a password. Never the password or its hash. */
export const userAdminRoutes = new Hono<AppEnv>()
  .post("/", ...jsonBody(NewUserSchema, "invalid_request"), async (c) => {
    const user = await createUser(c.get("stores"), c.req.valid("json"));
    return c.json(publicUser(user), 201);
  })
  .get("/", pageQuery, async (c) => {
    const { cursor, limit } = c.req.valid("query");
    const page = await listUsers(c.get("stores"), { cursor, limit });
    return c.json({
      users: page.users.map(publicUser),
      ...(page.cursor === undefined ? {} : { cursor: page.cursor }),
    });
  })
  .get("/:id", async (c) => {
    const user = await getUser(c.get("stores"), c.req.param("id"));
    if (user === null) throw noSuchUser();
    return c.json(publicUser(user));
  })
  .delete("/:id", async (c) => {
    const sub = c.req.param("id");
    if (!(await deleteUser(c.get("stores"), sub))) throw noSuchUser();
    // The user's grants end with them: introspection, refresh and userinfo refuse at once.
    const revoked = await closeUserGrants(c.get("stores"), sub);
    securityEvent("grant.revoked", { sub, reason: "user_deleted", count: revoked.length });
    return c.body(null, 204);
  })
  .get("/:id/grants", async (c) => {
    const sub = c.req.param("id");
    if ((await getUser(c.get("stores"), sub)) === null) throw noSuchUser();
    return c.json({ grants: (await listUserGrants(c.get("stores"), sub)).map(grantView) });
  })
  .delete("/:id/grants", async (c) => {
    const sub = c.req.param("id");
    if ((await getUser(c.get("stores"), sub)) === null) throw noSuchUser();
    const revoked = await revokeUserGrants(c.get("stores"), sub);
    securityEvent("grant.revoked", { sub, reason: "admin", count: revoked.length });
    return c.body(null, 204);
  });

/** A grant as the admin API shows it (snake_case, times in seconds since the epoch). */
function grantView(grant: GrantRecord) {
  return {
    grant_id: grant.grantId,
    client_id: grant.clientId,
    scope: formatScope(grant.scope),
    ...(grant.resource.length === 0 ? {} : { resource: grant.resource }),
    auth_time: grant.authTime,
    created_at: grant.createdAt,
    expires_at: grant.expiresAt,
    ...(grant.refreshExpiresAt === undefined
      ? {}
      : { refresh_token_expires_at: grant.refreshExpiresAt }),
  };
}
