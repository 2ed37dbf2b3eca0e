import { Hono } from "hono";
import type { AppEnv } from "../http/app-env";
import { securityEvent } from "../http/security-events";
import { rotateKeys } from "../storage/keys";

/**
 * POST /admin/keys/rotate (DESIGN.md "Admin API"): rotates the signing and sealing keys now and
 * answers with the JWKS kids now current and next. Meant for a suspected key compromise or a
 * drill; the schedule (KEY_ROTATION_PERIOD) does the rest.
 */
export const keyAdminRoutes = new Hono<AppEnv>().post("/rotate", async (c) => {
  const rotated = await rotateKeys(c.get("stores"));
  securityEvent("admin.action", { action: "keys.rotate", target: rotated.current.join(" ") });
  return c.json(rotated, 200);
});
