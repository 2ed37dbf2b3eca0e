import { Hono } from "hono/tiny";
import type { AppEnv } from "../http/app-env";
import { clientAdminRoutes } from "./clients";
import { onAdminError } from "./errors";
import { keyAdminRoutes } from "./keys";
import { requireAdmin } from "./guard";
import { userAdminRoutes } from "./users";

/** The admin API, mounted at /admin (DESIGN.md "Admin API"): JSON in and out, errors too. */
export const adminRoutes = new Hono<AppEnv>()
  .onError(onAdminError)
  .use("*", requireAdmin)
  .route("/clients", clientAdminRoutes)
  .route("/users", userAdminRoutes)
  .route("/keys", keyAdminRoutes);
