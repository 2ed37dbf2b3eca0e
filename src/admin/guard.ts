import { createMiddleware } from "hono/factory";
import { timingSafeEqual } from "../crypto/timing-safe";
import type { AppEnv } from "../http/app-env";
import { readBearerToken } from "../http/bearer";
import { bearerChallenge } from "../protocol/www-authenticate";
import { AdminError } from "./errors";

const CHALLENGE = { "WWW-Authenticate": bearerChallenge({ realm: "gatehouse-admin" }) };

/**
 * Admits only requests bearing the admin token (RFC 6750 §2.1). Without a configured token the
 * admin API does not exist: 404, so that a deployment does not even reveal it. Hono's
 * bearerAuth is not used because its failures are HTTPExceptions with their own bodies, and
 * admin errors must render as JSON through the admin group's onError like every other error.
 */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const expected = c.get("config").adminToken;
  if (expected === undefined) throw new AdminError("not_found", "No such endpoint");
  const presented = readBearerToken(c);
  if (presented === undefined || !(await timingSafeEqual(presented, expected))) {
    throw new AdminError("unauthorized", "The admin API needs a valid bearer token", {
      headers: CHALLENGE,
    });
  }
  await next();
  // Admin answers carry secrets (a new client's) and personal data: never cache them.
  c.header("Cache-Control", "no-store");
});
