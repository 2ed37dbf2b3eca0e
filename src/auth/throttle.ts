/**
 * Brute-force limits on the password login. The policy (limits, lock lengths, what resets them)
 * is documented and implemented in ./throttle-policy.ts; each throttled key is one LoginThrottle
 * Durable Object (src/storage/login-throttle.ts), strongly consistent across locations.
 *
 * Cost: one Durable Object call per key per function, the username's and the address's
 * concurrently; a success makes only the username's call.
 */
import { OAuthError } from "../oauth/errors";
import type { ThrottleKind, ThrottleVerdict } from "./throttle-policy";

export interface LoginAttempt {
  username: string;
  /** The client's address (CF-Connecting-IP), when known. */
  ip: string | undefined;
}

/** The same person typing "Alice" or "ａｌｉｃｅ" hits the same counter (UAX #15 NFKC). */
export function normalizeUsername(username: string): string {
  return username.normalize("NFKC").toLowerCase();
}

function throttle(env: Env, kind: ThrottleKind, value: string) {
  return env.THROTTLE.get(env.THROTTLE.idFromName(`${kind}:${value}`));
}

/** The keys an attempt counts against: its username, and its address when known. */
function keysOf(attempt: LoginAttempt): [ThrottleKind, string][] {
  const keys: [ThrottleKind, string][] = [["username", normalizeUsername(attempt.username)]];
  if (attempt.ip) keys.push(["address", attempt.ip]);
  return keys;
}

/**
 * Throws OAuthError (temporarily_unavailable, status 429, with Retry-After) when this username or
 * address is locked out after too many failures. Consulted before the password is checked.
 */
export async function assertLoginAllowed(env: Env, attempt: LoginAttempt): Promise<void> {
  const verdicts = await Promise.all(
    keysOf(attempt).map(([kind, value]) => throttle(env, kind, value).check(kind)),
  );
  assertAllowed(verdicts);
}

/** Records the outcome: a failure counts toward the lockout, a success clears the username's count. */
export async function recordLoginResult(
  env: Env,
  attempt: LoginAttempt,
  succeeded: boolean,
): Promise<void> {
  // A success never changes an address's state (see the policy), so it needs no call there.
  const keys = succeeded ? keysOf(attempt).filter(([kind]) => kind === "username") : keysOf(attempt);
  await Promise.all(keys.map(([kind, value]) => throttle(env, kind, value).record(kind, succeeded)));
}

/** RFC 6585 §4 (429) with RFC 9110 §10.2.3 Retry-After: the longest lock that applies. */
export function assertAllowed(verdicts: readonly ThrottleVerdict[]): void {
  let retryAfter = 0;
  for (const v of verdicts) if (!v.allowed) retryAfter = Math.max(retryAfter, v.retryAfterSeconds);
  if (retryAfter > 0) {
    throw new OAuthError(
      "temporarily_unavailable",
      "Too many failed sign-in attempts; try again later",
      { status: 429, headers: { "Retry-After": String(retryAfter) } },
    );
  }
}
