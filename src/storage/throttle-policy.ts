/**
 * Gatehouse's throttling policy: every number in one place. The state these numbers act on, and
 * the pure functions that apply them, are in ./throttle-state.ts; the LoginThrottle Durable
 * Object (src/storage/login-throttle.ts) stores the state, one object per throttled key.
 *
 * ## Password sign-in (NIST SP 800-63B §5.2.2, RFC 9700 §4.16, OWASP ASVS V2.2.1)
 * §5.2.2 asks the verifier to limit failed attempts on an account, and to make it unlikely that
 * the limit locks out the real subscriber: an attacker who only knows a username must not be able
 * to keep its owner out. So limits attach to the *context* an attempt comes from, and the
 * per-username limit applies only to contexts that are not known to be the owner's:
 * - A browser holding a valid device cookie for the username (a sealed cookie issued to that
 *   browser after a successful sign-in of that username: src/auth/password/device-cookie.ts) is its own
 *   context: 5 free failures, then a lock of 30 s doubling per failure up to 15 minutes. Its
 *   attempts count nowhere else, so neither a guesser elsewhere nor a busy network locks it out.
 * - Without one, the context is the client's address (CF-Connecting-IP, IPv6 by /64): the same
 *   5 free failures and 30 s … 15 min backoff, per username and address. A guesser at address A
 *   is stopped for U without touching U's owner at address B.
 * - The username's untrusted counter slows a *distributed* guesser (many addresses, no device
 *   cookie): it counts the failures of address contexts still within their 5 free ones (so one
 *   network adds at most 5), admits 20, then locks untrusted contexts for 30 s doubling up to
 *   15 minutes: at most about 100 guesses a day, while the owner's device cookie, or an address
 *   the owner signed in from within 30 days (a "known" address), still gets in.
 * - Per address across usernames (password spraying from one network): more than 30 failures in
 *   15 minutes lock the address for 15 minutes, for every attempt without a device cookie.
 * - Every attempt is counted as a failure when it is admitted, before its password is checked
 *   (a reservation), in one step with the lock check; concurrent attempts cannot all pass the
 *   check first. A success takes the reservation back and clears its context's count; an attempt
 *   refused by one key is withdrawn from the other; a refused attempt is never counted.
 * - A success does not reset the username's untrusted counter (it decays after 24 h without
 *   failures): the owner's sign-in says nothing about a guesser elsewhere, and resetting it would
 *   give the guesser a fresh allowance each time the owner signs in.
 *
 * ## Client secrets (RFC 6749 §2.3.1, §5.2)
 * Failures only are counted (a success costs no Durable Object call), per client and address:
 * 10 free failures, then 10 s doubling up to 5 minutes for that address; the client's shared
 * counter (fed like the username's) admits 50, then locks every address for 10 s doubling up to
 * 2 minutes. Refused: 429 `invalid_client` with Retry-After, without checking the secret. The
 * locks are short and capped because secrets are 256 random bits: nobody guesses one, so the
 * throttle only sheds the cost of a flood. The client's own servers are never locked by another
 * address's failures, and only briefly by a distributed flood.
 *
 * ## Invalid tokens and codes per address
 * An unknown refresh token costs a Durable Object call (its grant id names an object). More than
 * 50 `invalid_grant` answers (and unknown tokens at /revoke) from one address in 10 minutes lock
 * it out of /token and /revoke for 10 minutes: 429 without reaching any grant.
 *
 * Everywhere, a lock verdict is remembered in the isolate's memory (src/auth/lock-memory.ts), so
 * a locked key is refused without a Durable Object call; the Durable Object is the authority
 * whenever a failure is counted.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Free failures, then a lock that doubles with each further failure, up to a cap. */
export interface BackoffPolicy {
  /** Failures allowed before the first lock. */
  readonly freeFailures: number;
  readonly firstLockMs: number;
  readonly maxLockMs: number;
  /** How long an unlocked count is remembered after its last failure. */
  readonly memoryMs: number;
}

/** More than `maxFailures` failures within `windowMs` locks for `lockMs`. */
export interface WindowPolicy {
  readonly maxFailures: number;
  readonly windowMs: number;
  /** At least windowMs, so that the failures which set a lock have left the window when it ends. */
  readonly lockMs: number;
}

/** A username's counters: each context's, and the shared one for untrusted contexts. */
export interface AccountPolicy {
  readonly context: BackoffPolicy;
  readonly shared: BackoffPolicy;
  /** How long an address stays known after a success from it (0: addresses never become known). */
  readonly knownAddressMs: number;
  /** At most this many known addresses, the most recent kept. */
  readonly maxKnownAddresses: number;
}

export const USERNAME_POLICY: AccountPolicy = {
  context: { freeFailures: 5, firstLockMs: 30 * SECOND, maxLockMs: 15 * MINUTE, memoryMs: DAY },
  shared: { freeFailures: 20, firstLockMs: 30 * SECOND, maxLockMs: 15 * MINUTE, memoryMs: DAY },
  knownAddressMs: 30 * DAY,
  maxKnownAddresses: 16,
};

export const CLIENT_POLICY: AccountPolicy = {
  context: { freeFailures: 10, firstLockMs: 10 * SECOND, maxLockMs: 5 * MINUTE, memoryMs: HOUR },
  shared: { freeFailures: 50, firstLockMs: 10 * SECOND, maxLockMs: 2 * MINUTE, memoryMs: HOUR },
  // Successes are not reported (no Durable Object call on the hot path), so none become known.
  knownAddressMs: 0,
  maxKnownAddresses: 0,
};

/** Password attempts from one address, across usernames. */
export const ADDRESS_POLICY: WindowPolicy = {
  maxFailures: 30,
  windowMs: 15 * MINUTE,
  lockMs: 15 * MINUTE,
};

/** Invalid codes and tokens (invalid_grant, unknown at /revoke) from one address. */
export const TOKEN_ADDRESS_POLICY: WindowPolicy = {
  maxFailures: 50,
  windowMs: 10 * MINUTE,
  lockMs: 10 * MINUTE,
};

/** An account keeps at most this many context counters; the stalest go first. */
export const MAX_CONTEXTS = 512;

/** The device cookie lives this long, renewed at each successful sign-in. */
export const DEVICE_COOKIE_TTL_SECONDS = 180 * 24 * 3600;
/** Usernames one browser's device cookie remembers (a shared computer), the most recent kept. */
export const MAX_DEVICE_USERNAMES = 5;

/** Lock verdicts remembered per isolate; the oldest is forgotten first. */
export const LOCK_MEMORY_SIZE = 10_000;

/** What each Durable Object key counts. */
export type ThrottleKind = "username" | "address" | "client" | "token-address";
export type AccountKind = "username" | "client";
export type WindowKind = "address" | "token-address";

export const ACCOUNT_POLICIES: Readonly<Record<AccountKind, AccountPolicy>> = {
  username: USERNAME_POLICY,
  client: CLIENT_POLICY,
};

export const WINDOW_POLICIES: Readonly<Record<WindowKind, WindowPolicy>> = {
  address: ADDRESS_POLICY,
  "token-address": TOKEN_ADDRESS_POLICY,
};
