import { Hono } from "hono";
import type { AppEnv } from "../http/app-env";
import { OAuthError } from "../oauth/errors";
import {
  NewUserSchema,
  createUser,
  deleteUser,
  getUser,
  listUsers,
  publicUser,
} from "../storage/users";
import { jsonBody } from "../http/json-body";
import { securityEvent } from "../http/security-events";
import { pageQuery } from "./pagination";

const noSuchUser = () => new OAuthError("not_found", "No such user");

/** /admin/users: the users who log in with a password. Never the password or its hash. */
export const userAdminRoutes = new Hono<AppEnv>()
  .post("/", ...jsonBody(NewUserSchema, "invalid_request"), async (c) => {
    const user = await createUser(c.env, c.req.valid("json"));
    securityEvent("admin.action", { action: "user.create", target: user.sub });
    return c.json(publicUser(user), 201);
  })
  .get("/", pageQuery, async (c) => {
    const { cursor, limit } = c.req.valid("query");
    const page = await listUsers(c.env, { cursor, limit });
    return c.json({
      users: page.users.map(publicUser),
      ...(page.cursor === undefined ? {} : { cursor: page.cursor }),
    });
  })
  .get("/:id", async (c) => {
    const user = await getUser(c.env, c.req.param("id"));
    if (user === null) throw noSuchUser();
    return c.json(publicUser(user));
  })
  .delete("/:id", async (c) => {
    if (!(await deleteUser(c.env, c.req.param("id")))) throw noSuchUser();
    securityEvent("admin.action", { action: "user.delete", target: c.req.param("id") });
    return c.body(null, 204);
  });
