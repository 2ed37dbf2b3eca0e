import { Hono } from "hono/tiny";
import type { AppEnv } from "../http/app-env";
import { formatScope } from "../protocol/scope";
import { securityEvent } from "../http/security-events";
import type { GrantRecord } from "../storage/grant-types";
import { closeUserGrants, listUserGrants, revokeUserGrants } from "../storage/grants";
import { endSessions, listSessions, type SessionRecord } from "../storage/sessions";
import {
  NewUserSchema,
  PasswordChangeSchema,
  createUser,
  deleteUser,
  getUser,
  listUsers,
  publicUser,
  setPassword,
  UsernameTakenError,
} from "../storage/users";
import { jsonBody } from "../http/json-body";
import { AdminError } from "./errors";
import { pageQuery } from "./pagination";

const noSuchUser = () => new AdminError("not_found", "No such user");

/** /admin/users: the users who log in with a password. Never the password or its hash. */
export const userAdminRoutes = new Hono<AppEnv>()
  .post("/", ...jsonBody(NewUserSchema, "invalid_request"), async (c) => {
    const user = await createUser(c.get("stores"), c.req.valid("json")).catch((err: unknown) => {
      if (err instanceof UsernameTakenError) throw new AdminError("conflict", err.message);
      throw err;
    });
    securityEvent("admin.action", { action: "user.create", target: user.sub });
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
    securityEvent("admin.action", { action: "user.delete", target: sub });
    // The user's grants and sessions end with them (one call: the user's object is closed):
    // introspection, refresh and userinfo refuse at once, browsers at their session's next check.
    const revoked = await closeUserGrants(c.get("stores"), sub);
    securityEvent("grant.revoked", { sub, reason: "user_deleted", count: revoked.length });
    securityEvent("session.ended", { sub, reason: "user_deleted" });
    return c.body(null, 204);
  })
  .put("/:id/password", ...jsonBody(PasswordChangeSchema, "invalid_request"), async (c) => {
    const sub = c.req.param("id");
    const { password, end_grants } = c.req.valid("json");
    if (!(await setPassword(c.get("stores"), sub, password))) throw noSuchUser();
    securityEvent("admin.action", { action: "user.password.set", target: sub });
    // Whoever knew the old password may be signed in with it: every session ends, and with
    // end_grants every grant too (the applications it reached lose access).
    const ended = await endSessions(c.get("stores"), sub);
    securityEvent("session.ended", { sub, reason: "password_changed", count: ended.length });
    if (end_grants === true) {
      const revoked = await revokeUserGrants(c.get("stores"), sub);
      securityEvent("grant.revoked", { sub, reason: "password_changed", count: revoked.length });
    }
    return c.body(null, 204);
  })
  .get("/:id/sessions", async (c) => {
    const sub = c.req.param("id");
    if ((await getUser(c.get("stores"), sub)) === null) throw noSuchUser();
    return c.json({ sessions: (await listSessions(c.get("stores"), sub)).map(sessionView) });
  })
  .delete("/:id/sessions", async (c) => {
    const sub = c.req.param("id");
    if ((await getUser(c.get("stores"), sub)) === null) throw noSuchUser();
    const ended = await endSessions(c.get("stores"), sub);
    securityEvent("admin.action", { action: "user.sessions.end", target: sub });
    securityEvent("session.ended", { sub, reason: "admin", count: ended.length });
    return c.body(null, 204);
  })
  .delete("/:id/sessions/:sid", async (c) => {
    const sub = c.req.param("id");
    const sid = c.req.param("sid");
    if ((await getUser(c.get("stores"), sub)) === null) throw noSuchUser();
    const ended = await endSessions(c.get("stores"), sub, sid);
    if (ended.length === 0) throw new AdminError("not_found", "No such session");
    securityEvent("admin.action", { action: "user.sessions.end", target: sub });
    securityEvent("session.ended", { sub, sid, reason: "admin", count: 1 });
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
    securityEvent("admin.action", { action: "user.grants.revoke", target: sub });
    securityEvent("grant.revoked", { sub, reason: "admin", count: revoked.length });
    return c.body(null, 204);
  });

/** A session as the admin API shows it (snake_case, times in seconds since the epoch). */
function sessionView(session: SessionRecord) {
  return {
    sid: session.sid,
    created_at: session.createdAt,
    auth_time: session.authTime,
    ...(session.amr === undefined ? {} : { amr: session.amr }),
    ...(session.acr === undefined ? {} : { acr: session.acr }),
    last_seen_at: session.lastSeenAt,
    expires_at: session.expiresAt,
    ...(session.userAgent === undefined ? {} : { user_agent: session.userAgent }),
  };
}

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
