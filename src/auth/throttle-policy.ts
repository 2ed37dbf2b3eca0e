/**
 * The brute-force policy of the password login, as pure functions of (state, now).
 * The LoginThrottle Durable Object (src/storage/login-throttle.ts) stores the state and applies
 * these functions; src/auth/throttle.ts asks one object per username and one per client address.
 *
 * Policy (RFC 9700 §4.16 and OWASP ASVS V2.2.1 ask for anti-automation on credential checks):
 * - Per username (NFKC, lowercased): after 5 consecutive failures the username is locked for
 *   30 s; each further failure (after the lock ends) doubles the lock, up to 15 minutes.
 *   A successful sign-in resets the count.
 * - Per client address (CF-Connecting-IP; an IPv6 address by its /64, see src/auth/throttle.ts):
 *   more than 30 failures within 15 minutes locks the address for 15 minutes. Successes do not
 *   reset it: an attacker could otherwise clear the counter by signing in to an account of their
 *   own between guesses. A success is not a failure either, so it does not count.
 * - Every attempt is counted as a failure when it is admitted, before its password is checked
 *   (a reservation), in one step with the lock check. Concurrent attempts therefore cannot all
 *   pass the check before any of them is counted: a username admits exactly 5 attempts, then one
 *   per lock. A success then resets the username, and withdraws its reservation at the address.
 * - Attempts refused during a lock are not counted and do not extend it, because the password is
 *   not even checked. When only one of an attempt's keys refuses it, the other key withdraws the
 *   reservation it had made (in the moment between, that key may refuse an attempt it would
 *   have admitted: the error is on the safe side and lasts one round trip).
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
  /** At least windowMs, so that the failures which set a lock have left the window when it ends. */
  lockMs: 15 * MINUTE,
} as const;

export type ThrottleKind = "username" | "address";

export interface UsernameState {
  kind: "username";
  /** Consecutive failures (reservations included) since the last success. */
  failures: number;
  /** Epoch ms; 0 when not locked. */
  lockedUntil: number;
  /** Epoch ms of the last failure. */
  lastFailure: number;
}

export interface AddressState {
  kind: "address";
  /**
   * Epoch ms of the failures inside the window, oldest first (at most maxFailures + 1). Kept
   * while locked, so that a withdrawn reservation can show that the lock no longer holds.
   */
  failures: number[];
  lockedUntil: number;
}

export type ThrottleState = UsernameState | AddressState;

export type Refusal = { allowed: false; retryAfterSeconds: number };

/** The answer to "may this key try a password now?" */
export type ThrottleVerdict = { allowed: true } | Refusal;

/** An admitted attempt, already counted as a failure at `at` (epoch ms), or a refusal. */
export type Reservation = { allowed: true; at: number } | Refusal;

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

function usernameFailure(state: UsernameState, now: number): UsernameState {
  const failures = state.failures + 1;
  const lock = usernameLockMs(failures);
  return { kind: "username", failures, lockedUntil: lock > 0 ? now + lock : 0, lastFailure: now };
}

function addressFailure(state: AddressState, now: number): AddressState {
  const windowStart = now - ADDRESS_POLICY.windowMs;
  const failures = [...state.failures.filter((t) => t > windowStart), now];
  const locked = failures.length > ADDRESS_POLICY.maxFailures;
  const lockedUntil = locked ? now + ADDRESS_POLICY.lockMs : state.lockedUntil;
  return { kind: "address", failures, lockedUntil };
}

/**
 * The lock check and the counting in one step: refuses while locked (leaving the state as it
 * is), and otherwise admits the attempt and counts it as a failure now.
 */
export function reserveAttempt(
  state: ThrottleState,
  now: number,
): { state: ThrottleState; reservation: Reservation } {
  const current = verdict(state, now);
  if (!current.allowed) return { state, reservation: current };
  const next = state.kind === "username" ? usernameFailure(state, now) : addressFailure(state, now);
  return { state: next, reservation: { allowed: true, at: now } };
}

/** The address without one failure; its lock goes when the rest no longer exceed the limit. */
function withoutFailure(state: AddressState, index: number): AddressState {
  if (index < 0) return state;
  const failures = state.failures.filter((_, i) => i !== index);
  const lockedUntil = failures.length > ADDRESS_POLICY.maxFailures ? state.lockedUntil : 0;
  return { kind: "address", failures, lockedUntil };
}

/**
 * Takes back the reservation admitted at `at`: the attempt was refused by its other key, so its
 * password was never checked and it is no failure.
 */
export function withdrawReservation(state: ThrottleState, at: number): ThrottleState {
  if (state.kind === "address") return withoutFailure(state, state.failures.lastIndexOf(at));
  if (state.failures === 0) return state; // a success has reset the count meanwhile
  const failures = state.failures - 1;
  // Past the free allowance a username admits one attempt per lock, and that attempt sets the
  // lock. If it is the one withdrawn, the lock before it had ended, so none holds now; if a later
  // one set the lock, that lock is recomputed for one failure fewer.
  const lock = state.lastFailure === at ? 0 : usernameLockMs(failures);
  return { ...state, failures, lockedUntil: lock > 0 ? state.lastFailure + lock : 0 };
}

/**
 * Applies a successful sign-in: the username starts afresh; the address only loses the
 * reservation the attempt made. Which of its newest failures is removed hardly matters (they are
 * all from the last moments), so the success needs no record of its own reservation.
 */
export function applySuccess(state: ThrottleState): ThrottleState {
  if (state.kind === "username") return state.failures === 0 ? state : emptyState("username");
  return withoutFailure(state, state.failures.length - 1);
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
