/**
 * The throttles' state and the pure functions of (state, now) that apply the policy in
 * ./throttle-policy.ts (which states the rules and their sources). The LoginThrottle Durable
 * Object stores one state per key and calls these; nothing here does I/O.
 */
import {
  ACCOUNT_POLICIES,
  type AccountKind,
  type AccountPolicy,
  type BackoffPolicy,
  MAX_CONTEXTS,
  type ThrottleKind,
  WINDOW_POLICIES,
  type WindowKind,
} from "./throttle-policy";

const SECOND = 1000;

/** Consecutive failures of one context, with exponential backoff. */
export interface Counter {
  failures: number;
  /** Epoch ms; 0 when not locked. */
  lockedUntil: number;
  /** Epoch ms of the last failure. */
  lastFailure: number;
}

/** A username or a client: one counter per context, and the shared one for untrusted contexts. */
export interface AccountState {
  kind: AccountKind;
  shared: Counter;
  /** By context key: "d:<device id>" or "a:<address key>". */
  contexts: Record<string, Counter>;
  /** Address context keys the owner succeeded from, until (epoch ms). */
  known: Record<string, number>;
}

/** An address across usernames or tokens: failures inside a sliding window. */
export interface WindowState {
  kind: WindowKind;
  /**
   * Epoch ms of the failures inside the window, oldest first (at most maxFailures + 1). Kept
   * while locked, so that a withdrawn reservation can show that the lock no longer holds.
   */
  failures: number[];
  lockedUntil: number;
}

export type ThrottleState = AccountState | WindowState;

/**
 * Where an attempt comes from. A device is a browser holding a valid device cookie for the
 * account; otherwise the address key (src/auth/address-key.ts), "-" when unknown.
 */
export type AttemptContext = { device: string } | { address: string };

export type Refusal = { allowed: false; retryAfterSeconds: number };

/** The answer to "may this key try now?" */
export type ThrottleVerdict = { allowed: true } | Refusal;

/**
 * An admitted attempt, already counted as a failure at `at` (epoch ms), or a refusal.
 * `shared`: whether it was counted at the account's shared counter too. `contextLockedUntil`
 * and `sharedLockedUntil`: the locks in force after counting it (epoch ms, 0 for none), which
 * callers may remember so that they refuse the next attempt without asking.
 */
export type Reservation =
  | {
      allowed: true;
      at: number;
      shared: boolean;
      contextLockedUntil: number;
      sharedLockedUntil: number;
    }
  | Refusal;

export type Admitted = Extract<Reservation, { allowed: true }>;

const EMPTY_COUNTER: Counter = { failures: 0, lockedUntil: 0, lastFailure: 0 };

export function emptyState(kind: ThrottleKind): ThrottleState {
  return isAccountKind(kind)
    ? { kind, shared: EMPTY_COUNTER, contexts: {}, known: {} }
    : { kind, failures: [], lockedUntil: 0 };
}

export function isAccountKind(kind: ThrottleKind): kind is AccountKind {
  return kind === "username" || kind === "client";
}

function isWindow(state: ThrottleState): state is WindowState {
  return !isAccountKind(state.kind);
}

export function contextKey(context: AttemptContext): string {
  return "device" in context ? `d:${context.device}` : `a:${context.address}`;
}

function lockVerdict(lockedUntil: number, now: number): ThrottleVerdict {
  if (lockedUntil > now) {
    // Retry-After is whole seconds (RFC 9110 §10.2.3); round up so a retry is never early.
    return { allowed: false, retryAfterSeconds: Math.ceil((lockedUntil - now) / SECOND) };
  }
  return { allowed: true };
}

/** Lock length after `failures` consecutive failures (0 while under the free allowance). */
export function backoffLockMs(policy: BackoffPolicy, failures: number): number {
  const beyond = failures - policy.freeFailures;
  if (beyond < 0) return 0;
  // Cap the exponent too: 2 ** 1000 is Infinity, harmless, but keep the arithmetic finite.
  return Math.min(policy.firstLockMs * 2 ** Math.min(beyond, 30), policy.maxLockMs);
}

function counterFailure(policy: BackoffPolicy, counter: Counter, now: number): Counter {
  const failures = counter.failures + 1;
  const lock = backoffLockMs(policy, failures);
  return { failures, lockedUntil: lock > 0 ? now + lock : 0, lastFailure: now };
}

function counterWithdraw(policy: BackoffPolicy, counter: Counter, at: number): Counter {
  if (counter.failures === 0) return counter; // a success has reset the count meanwhile
  const failures = counter.failures - 1;
  // Past the free allowance a counter admits one attempt per lock, and that attempt sets the
  // lock. If it is the one withdrawn, the lock before it had ended, so none holds now; if a later
  // one set the lock, that lock is recomputed for one failure fewer.
  const lock = counter.lastFailure === at ? 0 : backoffLockMs(policy, failures);
  return { ...counter, failures, lockedUntil: lock > 0 ? counter.lastFailure + lock : 0 };
}

function counterForgetAt(policy: BackoffPolicy, counter: Counter, now: number): number | undefined {
  if (counter.failures === 0 && counter.lockedUntil <= now) return undefined;
  return Math.max(counter.lockedUntil, counter.lastFailure + policy.memoryMs);
}

/** Whether the attempt's context is the owner's: a device cookie, or a known address. */
function isTrusted(state: AccountState, key: string, now: number): boolean {
  return key.startsWith("d:") || (state.known[key] ?? 0) > now;
}

/** May the context try now? (Read-only: what `reserveAttempt` checks before counting.) */
export function verdict(
  state: ThrottleState,
  context: AttemptContext,
  now: number,
): ThrottleVerdict {
  if (isWindow(state)) {
    return lockVerdict(state.lockedUntil, now);
  }
  const key = contextKey(context);
  const own = state.contexts[key]?.lockedUntil ?? 0;
  const shared = isTrusted(state, key, now) ? 0 : state.shared.lockedUntil;
  return lockVerdict(Math.max(own, shared), now);
}

/**
 * The lock check and the counting in one step: refuses while locked (leaving the state as it
 * is), and otherwise admits the attempt and counts it as a failure now.
 */
export function reserveAttempt(
  state: ThrottleState,
  context: AttemptContext,
  now: number,
): { state: ThrottleState; reservation: Reservation } {
  const current = verdict(state, context, now);
  if (!current.allowed) return { state, reservation: current };
  if (isWindow(state)) {
    const next = windowFailure(state, now);
    const reservation = {
      allowed: true as const,
      at: now,
      shared: false,
      contextLockedUntil: next.lockedUntil,
      sharedLockedUntil: 0,
    };
    return { state: next, reservation };
  }
  const policy = ACCOUNT_POLICIES[state.kind];
  const key = contextKey(context);
  const own = state.contexts[key] ?? EMPTY_COUNTER;
  // One context feeds the shared counter only within its own free allowance, so that a single
  // network cannot push the account into the lock that every untrusted context shares.
  const shared = !isTrusted(state, key, now) && own.failures < policy.context.freeFailures;
  const nextOwn = counterFailure(policy.context, own, now);
  const next: AccountState = {
    ...state,
    shared: shared ? counterFailure(policy.shared, state.shared, now) : state.shared,
    contexts: boundContexts({ ...state.contexts, [key]: nextOwn }),
  };
  const reservation = {
    allowed: true as const,
    at: now,
    shared,
    contextLockedUntil: nextOwn.lockedUntil,
    sharedLockedUntil: next.shared.lockedUntil,
  };
  return { state: next, reservation };
}

/**
 * Takes back the reservation admitted at `reservation.at`: the attempt was refused by its other
 * key, so its password was never checked and it is no failure.
 */
export function withdrawReservation(
  state: ThrottleState,
  context: AttemptContext,
  reservation: Pick<Admitted, "at" | "shared">,
): ThrottleState {
  if (isWindow(state)) {
    return withoutFailure(state, state.failures.lastIndexOf(reservation.at));
  }
  const policy = ACCOUNT_POLICIES[state.kind];
  const key = contextKey(context);
  const own = state.contexts[key];
  const contexts = { ...state.contexts };
  if (own !== undefined) contexts[key] = counterWithdraw(policy.context, own, reservation.at);
  const shared = reservation.shared
    ? counterWithdraw(policy.shared, state.shared, reservation.at)
    : state.shared;
  return { ...state, shared, contexts };
}

/**
 * Applies a successful sign-in: the context starts afresh and an address context becomes known;
 * the shared counter and an address (window) only lose the reservation the attempt made. Which of
 * an address's newest failures is removed hardly matters (they are all from the last moments).
 */
export function applySuccess(
  state: ThrottleState,
  context: AttemptContext,
  reservation: Pick<Admitted, "at" | "shared">,
  now: number,
): ThrottleState {
  if (isWindow(state)) {
    return withoutFailure(state, state.failures.length - 1);
  }
  const policy = ACCOUNT_POLICIES[state.kind];
  const key = contextKey(context);
  const { [key]: _cleared, ...contexts } = state.contexts;
  const shared = reservation.shared
    ? counterWithdraw(policy.shared, state.shared, reservation.at)
    : state.shared;
  const known = key.startsWith("a:") ? rememberKnown(policy, state.known, key, now) : state.known;
  return { ...state, shared, contexts, known };
}

function rememberKnown(
  policy: AccountPolicy,
  known: Record<string, number>,
  key: string,
  now: number,
): Record<string, number> {
  if (policy.knownAddressMs <= 0) return known;
  const entries = Object.entries({ ...known, [key]: now + policy.knownAddressMs })
    .sort(([, a], [, b]) => b - a)
    .slice(0, policy.maxKnownAddresses);
  return Object.fromEntries(entries);
}

/** Keeps at most MAX_CONTEXTS counters, dropping those whose last failure is oldest. */
function boundContexts(contexts: Record<string, Counter>): Record<string, Counter> {
  const entries = Object.entries(contexts);
  if (entries.length <= MAX_CONTEXTS) return contexts;
  entries.sort(([, a], [, b]) => b.lastFailure - a.lastFailure);
  return Object.fromEntries(entries.slice(0, MAX_CONTEXTS));
}

function windowFailure(state: WindowState, now: number): WindowState {
  const policy = WINDOW_POLICIES[state.kind];
  const windowStart = now - policy.windowMs;
  const failures = [...state.failures.filter((t) => t > windowStart), now];
  const locked = failures.length > policy.maxFailures;
  // Only the newest maxFailures + 1 can matter to the limit.
  const kept = failures.slice(-(policy.maxFailures + 1));
  const lockedUntil = locked ? now + policy.lockMs : state.lockedUntil;
  return { kind: state.kind, failures: kept, lockedUntil };
}

/** The window without one failure; its lock goes when the rest no longer exceed the limit. */
function withoutFailure(state: WindowState, index: number): WindowState {
  if (index < 0) return state;
  const failures = state.failures.filter((_, i) => i !== index);
  const stillLocked = failures.length > WINDOW_POLICIES[state.kind].maxFailures;
  return { kind: state.kind, failures, lockedUntil: stillLocked ? state.lockedUntil : 0 };
}

/**
 * The state without what no longer matters at `now` (forgotten counters, expired known
 * addresses), and when the rest stops mattering (epoch ms; undefined when nothing is left).
 */
export function prune(
  state: ThrottleState,
  now: number,
): { state: ThrottleState; forgetAt?: number } {
  if (isWindow(state)) {
    const newest = state.failures.at(-1);
    if (newest === undefined && state.lockedUntil <= now) return { state };
    const windowEnd = (newest ?? 0) + WINDOW_POLICIES[state.kind].windowMs;
    return { state, forgetAt: Math.max(state.lockedUntil, windowEnd) };
  }
  const policy = ACCOUNT_POLICIES[state.kind];
  const live = (until: number | undefined): until is number => until !== undefined && until > now;
  const sharedUntil = counterForgetAt(policy.shared, state.shared, now);
  const contexts = Object.entries(state.contexts)
    .map(([key, c]) => [key, c, counterForgetAt(policy.context, c, now)] as const)
    .filter(([, , until]) => live(until));
  const known = Object.entries(state.known).filter(([, until]) => live(until));
  const times = [sharedUntil, ...contexts.map(([, , until]) => until), ...known.map(([, t]) => t)];
  const kept = times.filter(live);
  const pruned: AccountState = {
    ...state,
    shared: live(sharedUntil) ? state.shared : EMPTY_COUNTER,
    contexts: Object.fromEntries(contexts.map(([key, c]) => [key, c])),
    known: Object.fromEntries(known),
  };
  return kept.length === 0 ? { state: pruned } : { state: pruned, forgetAt: Math.max(...kept) };
}
