/**
 * Invalid codes and tokens per client address, at the token and revocation endpoints. Each
 * unknown refresh token costs a Durable Object call (the grant id inside it names an object), so
 * an address that keeps presenting invalid ones is refused before any grant is reached:
 * 429 with Retry-After (RFC 6585 §4, RFC 9110 §10.2.3) and the endpoint's error code. The numbers
 * are TOKEN_ADDRESS_POLICY in src/auth/throttle-policy.ts.
 *
 * Only failures cost anything: an address is refused from this isolate's memory of its lock, and
 * the throttle's Durable Object is called only to count a failure (an `invalid_grant` answer, or
 * a token the revocation endpoint did not know: `markInvalidToken`). Without CF-Connecting-IP
 * (local development, tests calling the Worker directly) there is no address and no throttle.
 */
import type { Context, MiddlewareHandler } from "hono";
import { countFailure, lockedFor } from "../auth/failure-throttle";
import { addressKey } from "../auth/address-key";
import type { AppEnv } from "../http/app-env";
import { securityEvent } from "../http/security-events";
import { OAuthError } from "../protocol/errors";

const invalidTokenSeen = new WeakSet<Context>();

/**
 * Marks the request as having presented an unknown token although it gets a success answer
 * (RFC 7009 §2.2: the revocation endpoint answers 200 for an invalid token).
 */
export function markInvalidToken(c: Context<AppEnv>): void {
  invalidTokenSeen.add(c);
}

function failed(c: Context<AppEnv>): boolean {
  if (invalidTokenSeen.has(c)) return true;
  return c.error instanceof OAuthError && c.error.error === "invalid_grant";
}

function refusal(path: string, ip: string, retryAfter: number): OAuthError {
  securityEvent("token.throttled", { ip, endpoint: path, retry_after: retryAfter });
  // RFC 6749 §5.2 at the token endpoint; the revocation endpoint's own error otherwise (RFC 7009
  // §2.2.1 uses RFC 6749 §5.2's codes).
  const error = path === "/token" ? "invalid_grant" : "invalid_request";
  return new OAuthError(error, "Too many invalid codes or tokens from this network; retry later", {
    status: 429,
    headers: { "Retry-After": String(retryAfter) },
  });
}

/** Middleware for POST /token and /revoke (src/app.ts). */
export const throttleInvalidTokens: MiddlewareHandler<AppEnv> = async (c, next) => {
  const ip = c.req.header("CF-Connecting-IP");
  if (c.req.method !== "POST" || !ip) return next();
  const address = addressKey(ip);
  const context = { address };
  const locked = lockedFor("token-address", address, context);
  if (locked !== undefined) throw refusal(c.req.path, ip, locked);
  await next();
  if (!failed(c)) return;
  // This request has its answer; the count (and the lock it may report, now remembered here)
  // decides the next ones.
  await countFailure(c.get("stores"), "token-address", address, context);
};
