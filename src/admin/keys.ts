import { Hono } from "hono/tiny";
import type { AppEnv } from "../http/app-env";
import { securityEvent } from "../http/security-events";
import { rotateKeys } from "../storage/keys";
import { AdminError } from "./errors";

/**
 * POST /admin/keys/rotate (DESIGN.md "Admin API"): rotates the signing and sealing keys now and
 * answers with the JWKS kids now current and next. Meant for a suspected key compromise or a
 * drill; the schedule (KEY_ROTATION_PERIOD) does the rest. A second rotation within 11 minutes
 * of the last is refused (409, Retry-After): the keys it would make current were published too
 * recently for every cached JWKS to hold them.
 */
export const keyAdminRoutes = new Hono<AppEnv>().post("/rotate", async (c) => {
  const rotated = await rotateKeys(c.get("stores"));
  if ("retryAfter" in rotated) {
    throw new AdminError(
      "conflict",
      `The next keys were published too recently to sign; rotate again in ${rotated.retryAfter} s`,
      { headers: { "Retry-After": String(rotated.retryAfter) } },
    );
  }
  securityEvent("admin.action", { action: "keys.rotate", target: rotated.current.join(" ") });
  return c.json(rotated, 200);
});
