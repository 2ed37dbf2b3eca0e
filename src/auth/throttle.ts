/**
 * Brute-force limits on the password login. The policy (limits, lock lengths, what resets them)
 * is documented and implemented in ./throttle-policy.ts; each throttled key is one LoginThrottle
 * Durable Object (src/storage/login-throttle.ts), strongly consistent across locations.
 *
 * An attempt is counted as a failure when it is admitted, in the same Durable Object call that
 * checks the lock, so parallel attempts cannot all pass the check before any is counted.
 *
 * Cost: `assertLoginAllowed` makes one call per key, the username's and the address's
 * concurrently, and a second one at a key that admitted an attempt the other key refused.
 * A failed password needs no call; a success makes one call per key, concurrently.
 */
import { OAuthError } from "../oauth/errors";
import { normaliseUsername } from "../storage/users";
import type { ThrottleKind, ThrottleVerdict } from "./throttle-policy";

export interface LoginAttempt {
  username: string;
  /** The client's address (CF-Connecting-IP), when known. */
  ip: string | undefined;
}

function throttle(env: Env, kind: ThrottleKind, value: string) {
  return env.THROTTLE.get(env.THROTTLE.idFromName(`${kind}:${value}`));
}

/** The keys an attempt counts against: its username, and its address when known. */
function keysOf(attempt: LoginAttempt): [ThrottleKind, string][] {
  const keys: [ThrottleKind, string][] = [["username", normaliseUsername(attempt.username)]];
  if (attempt.ip) keys.push(["address", addressKey(attempt.ip)]);
  return keys;
}

/**
 * Admits the attempt, counting it as a failure before the password is checked, or throws
 * OAuthError (temporarily_unavailable, status 429, with Retry-After) when its username or address
 * is locked out after too many failures. A refused attempt is not counted at any key.
 */
export async function assertLoginAllowed(env: Env, attempt: LoginAttempt): Promise<void> {
  const keys = keysOf(attempt);
  const reservations = await Promise.all(
    keys.map(([kind, value]) => throttle(env, kind, value).reserve(kind)),
  );
  if (reservations.every((r) => r.allowed)) return;
  await Promise.all(
    keys.map(([kind, value], i) => {
      const reservation = reservations[i]!;
      if (!reservation.allowed) return undefined;
      return throttle(env, kind, value).withdraw(kind, reservation.at);
    }),
  );
  assertAllowed(reservations);
}

/**
 * Records the outcome of an attempt that `assertLoginAllowed` admitted. A failure was counted
 * then, so it needs nothing more; a success resets the username and withdraws the reservation at
 * the address (a success is no failure, but does not reset the address: see the policy).
 */
export async function recordLoginResult(
  env: Env,
  attempt: LoginAttempt,
  succeeded: boolean,
): Promise<void> {
  if (!succeeded) return;
  await Promise.all(
    keysOf(attempt).map(([kind, value]) => throttle(env, kind, value).succeed(kind)),
  );
}

/** RFC 6585 §4 (429) with RFC 9110 §10.2.3 Retry-After: the longest lock that applies. */
function assertAllowed(verdicts: readonly ThrottleVerdict[]): void {
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

/**
 * The key a client address counts under: an IPv4 address whole, an IPv6 address by its /64
 * prefix. RFC 4291 §2.5.4: the low 64 bits are the interface identifier, which the host picks
 * itself (and rotates, RFC 8981), while an end site is given at least a /64 (RFC 6177), so an
 * attacker usually holds 2^64 addresses but one /64. An IPv4-mapped address (RFC 4291 §2.5.5.2)
 * counts as its IPv4 address. Anything unparseable counts as it is.
 */
export function addressKey(ip: string): string {
  const groups = ipv6Groups(ip);
  if (groups === undefined) return ip;
  const [, , , , , mapped, high = 0, low = 0] = groups;
  if (mapped === 0xffff && groups.slice(0, 5).every((g) => g === 0)) {
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join(".");
  }
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(":")}::/64`;
}

/** The eight 16-bit groups of a textual IPv6 address (RFC 4291 §2.2), or undefined. */
function ipv6Groups(ip: string): number[] | undefined {
  if (!ip.includes(":")) return undefined;
  let text = ip.split("%")[0]!.toLowerCase(); // RFC 6874 zone identifier
  // RFC 4291 §2.2 form 3: the low 32 bits may be written as an IPv4 dotted quad.
  const quad = /(?<=:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (quad) {
    const [a = 0, b = 0, c = 0, d = 0] = quad.slice(1).map(Number);
    if (Math.max(a, b, c, d) > 255) return undefined;
    const low32 = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
    text = text.slice(0, quad.index) + low32;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const [head = [], tail] = halves.map((h) => (h === "" ? [] : h.split(":")));
  const missing = 8 - head.length - (tail?.length ?? 0);
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(tail ? missing : 0).fill("0"), ...(tail ?? [])];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => Number.parseInt(g, 16));
}
