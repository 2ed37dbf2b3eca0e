/**
 * The brute-force policy of the password login, as pure functions of (state, now).
 * The LoginThrottle Durable Object (src/storage/login-throttle.ts) stores the state and applies
 * these functions; src/auth/throttle.ts asks one object per username and one per client address.
 *
 * Policy (RFC 9700 §4.16 and OWASP ASVS V2.2.1 ask for anti-automation on credential checks):
 * - Per username (NFKC, lowercased): after 5 consecutive failures the username is locked for
 *   30 s; each further failure (after the lock ends) doubles the lock, up to 15 minutes.
 *   A successful sign-in resets the count. Attempts refused during a lock are not counted,
 *   because the password is not even checked.
 * - Per client address (CF-Connecting-IP): more than 30 failures within 15 minutes locks the
 *   address for 15 minutes. Successes do not reset it: an attacker could otherwise clear the
 *   counter by signing in to an account of their own between guesses.
 * - State is forgotten when it no longer matters: a username 24 hours after its last failure
 *   (or the end of its lock), an address when its last failure leaves the 15-minute window
 *   (or its lock ends). A Durable Object alarm deletes it, so nothing needs a sweeper.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;

export const USERNAME_POLICY = {
  /** Consecutive failures allowed before the first lock. */
  freeFailures: 5,
  firstLockMs: 30 * SECOND,
  maxLockMs: 15 * MINUTE,
  /** How long an unlocked username's failure count is remembered. */
  memoryMs: 24 * 60 * MINUTE,
} as const;

export const ADDRESS_POLICY = {
  /** More than this many failures within the window locks the address. */
  maxFailures: 30,
  windowMs: 15 * MINUTE,
  lockMs: 15 * MINUTE,
} as const;

export type ThrottleKind = "username" | "address";

export interface UsernameState {
  kind: "username";
  /** Consecutive failures since the last success. */
  failures: number;
  /** Epoch ms; 0 when not locked. */
  lockedUntil: number;
  /** Epoch ms of the last failure. */
  lastFailure: number;
}

export interface AddressState {
  kind: "address";
  /** Epoch ms of the failures inside the window, oldest first (at most maxFailures + 1). */
  failures: number[];
  lockedUntil: number;
}

export type ThrottleState = UsernameState | AddressState;

/** The answer to "may this key try a password now?" */
export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export function emptyState(kind: ThrottleKind): ThrottleState {
  return kind === "username"
    ? { kind, failures: 0, lockedUntil: 0, lastFailure: 0 }
    : { kind, failures: [], lockedUntil: 0 };
}

export function verdict(state: ThrottleState, now: number): ThrottleVerdict {
  if (state.lockedUntil > now) {
    // Retry-After is whole seconds (RFC 9110 §10.2.3); round up so a retry is never early.
    return { allowed: false, retryAfterSeconds: Math.ceil((state.lockedUntil - now) / SECOND) };
  }
  return { allowed: true };
}

/** Lock length after `failures` consecutive failures (0 while under the free allowance). */
export function usernameLockMs(failures: number): number {
  const beyond = failures - USERNAME_POLICY.freeFailures;
  if (beyond < 0) return 0;
  // Cap the exponent too: 2 ** 1000 is Infinity, harmless, but keep the arithmetic finite.
  const lock = USERNAME_POLICY.firstLockMs * 2 ** Math.min(beyond, 30);
  return Math.min(lock, USERNAME_POLICY.maxLockMs);
}

export function usernameFailure(state: UsernameState, now: number): UsernameState {
  const failures = state.failures + 1;
  const lock = usernameLockMs(failures);
  return { kind: "username", failures, lockedUntil: lock > 0 ? now + lock : 0, lastFailure: now };
}

export function addressFailure(state: AddressState, now: number): AddressState {
  const windowStart = now - ADDRESS_POLICY.windowMs;
  const failures = [...state.failures.filter((t) => t > windowStart), now];
  if (failures.length > ADDRESS_POLICY.maxFailures) {
    // The lock outlasts every failure in the window, so the window starts afresh after it.
    return { kind: "address", failures: [], lockedUntil: now + ADDRESS_POLICY.lockMs };
  }
  return { kind: "address", failures, lockedUntil: state.lockedUntil };
}

/** Applies one outcome. A success clears a username and leaves an address as it is. */
export function applyResult(state: ThrottleState, succeeded: boolean, now: number): ThrottleState {
  if (state.kind === "username") {
    return succeeded ? emptyState("username") : usernameFailure(state, now);
  }
  return succeeded ? state : addressFailure(state, now);
}

/** When the state stops mattering and may be deleted (epoch ms), or undefined if it is empty. */
export function forgetAt(state: ThrottleState, now: number): number | undefined {
  if (state.kind === "username") {
    if (state.failures === 0 && state.lockedUntil <= now) return undefined;
    return Math.max(state.lockedUntil, state.lastFailure + USERNAME_POLICY.memoryMs);
  }
  const newest = state.failures.at(-1);
  if (newest === undefined && state.lockedUntil <= now) return undefined;
  return Math.max(state.lockedUntil, (newest ?? 0) + ADDRESS_POLICY.windowMs);
}
