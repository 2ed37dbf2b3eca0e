/**
 * Brute-force limits on the password login, shaped so that they cannot be turned against the
 * account's owner (NIST SP 800-63B §5.2.2). The rule, and every number, is in
 * ./throttle-policy.ts: attempts count per context (a browser's device cookie for the username,
 * else the client's address) and, from untrusted contexts only, at the username's shared counter
 * and the address's counter across usernames. Each key is one LoginThrottle Durable Object
 * (src/storage/login-throttle.ts), strongly consistent across locations.
 *
 * An attempt is counted as a failure when it is admitted, in the same Durable Object call that
 * checks the lock, so parallel attempts cannot all pass the check before any is counted.
 *
 * Cost: `assertLoginAllowed` makes one call per key (the username's, and the address's unless
 * the browser holds a device cookie), concurrently, and a second one at a key that admitted an
 * attempt the other key refused. A failed password needs no call; a success one per key.
 */
import { securityEvent } from "../../http/security-events";
import { OAuthError } from "../../protocol/errors";
import { normaliseUsername } from "../../storage/users";
import { recordSuccess, reserveAttempt, withdrawAttempt } from "../../storage/throttles";
import type { Stores } from "../../storage/stores";
import type { ThrottleKind } from "../../storage/throttle-policy";
import type { Admitted, AttemptContext, Reservation } from "../../storage/throttle-state";
import { addressKey } from "../address-key";

export interface LoginAttempt {
  username: string;
  /** The client's address (CF-Connecting-IP), when known. */
  ip: string | undefined;
  /** The id in the browser's valid device cookie for this username (./device-cookie.ts). */
  device?: string | undefined;
}

/** An attempt `assertLoginAllowed` admitted: what `recordLoginResult` settles. */
export interface LoginPermit {
  readonly attempt: LoginAttempt;
  readonly reservations: readonly { key: ThrottleKey; reservation: Admitted }[];
}

interface ThrottleKey {
  kind: ThrottleKind;
  name: string;
  context: AttemptContext;
}

/**
 * The keys an attempt counts against: its username, seen from its device or its address; and,
 * without a device cookie, its address across usernames (when the address is known).
 */
function keysOf(attempt: LoginAttempt): ThrottleKey[] {
  const address = attempt.ip ? addressKey(attempt.ip) : "-";
  const username: ThrottleKey = {
    kind: "username",
    name: normaliseUsername(attempt.username),
    context: attempt.device !== undefined ? { device: attempt.device } : { address },
  };
  if (attempt.device !== undefined || !attempt.ip) return [username];
  return [username, { kind: "address", name: address, context: { address } }];
}

/**
 * Admits the attempt, counting it as a failure before the password is checked, or throws
 * OAuthError (temporarily_unavailable, status 429, with Retry-After) when one of its keys is
 * locked after too many failures. A refused attempt is not counted at any key.
 */
export async function assertLoginAllowed(
  stores: Stores,
  attempt: LoginAttempt,
): Promise<LoginPermit> {
  const keys = keysOf(attempt);
  const reservations: Reservation[] = await Promise.all(
    keys.map((k) => reserveAttempt(stores, k.kind, k.name, k.context)),
  );
  const admitted = keys.flatMap((key, i) => {
    const reservation = reservations[i]!;
    return reservation.allowed ? [{ key, reservation }] : [];
  });
  if (admitted.length === keys.length) return { attempt, reservations: admitted };
  await Promise.all(
    admitted.map(({ key, reservation }) =>
      withdrawAttempt(stores, key.kind, key.name, key.context, reservation),
    ),
  );
  // RFC 6585 §4 (429) with RFC 9110 §10.2.3 Retry-After: the longest lock that applies.
  let retryAfter = 1;
  for (const r of reservations) {
    if (!r.allowed) retryAfter = Math.max(retryAfter, r.retryAfterSeconds);
  }
  securityEvent("login.throttled", {
    username: normaliseUsername(attempt.username),
    ...(attempt.ip ? { ip: attempt.ip } : {}),
    retry_after: retryAfter,
  });
  throw new OAuthError(
    "temporarily_unavailable",
    "Too many failed sign-in attempts; try again later",
    { status: 429, headers: { "Retry-After": String(retryAfter) } },
  );
}

/**
 * Records the outcome of an admitted attempt: `sub` is the user who signed in, or null when the
 * password was wrong. A failure was counted at admission, so it needs no call; a success takes
 * the reservations back (see the policy for what each key does with it).
 */
export async function recordLoginResult(
  stores: Stores,
  permit: LoginPermit,
  sub: string | null,
): Promise<void> {
  const ip = permit.attempt.ip ? { ip: permit.attempt.ip } : {};
  if (sub === null) {
    securityEvent("login.failed", {
      username: normaliseUsername(permit.attempt.username),
      method: "password",
      ...ip,
    });
    return;
  }
  securityEvent("login.succeeded", { sub, method: "password", ...ip });
  await Promise.all(
    permit.reservations.map(({ key, reservation }) =>
      recordSuccess(stores, key.kind, key.name, key.context, reservation),
    ),
  );
}
