import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ADDRESS_POLICY, USERNAME_POLICY } from "../../src/storage/throttle-policy";
import {
  type AccountState,
  type AttemptContext,
  type ThrottleState,
  applySuccess,
  backoffLockMs,
  emptyState,
  prune,
  reserveAttempt,
  verdict,
  withdrawReservation,
} from "../../src/storage/throttle-state";
import { addressKey } from "../../src/auth/address-key";
import {
  type LoginAttempt,
  type LoginPermit,
  assertLoginAllowed,
  recordLoginResult,
} from "../../src/auth/password/throttle";
import { OAuthError } from "../../src/protocol/errors";
import { normaliseUsername } from "../../src/storage/users";
import { uniqueIp } from "../helpers/addresses";

const T0 = Date.UTC(2030, 0, 1);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const CONTEXT = USERNAME_POLICY.context;
const SHARED = USERNAME_POLICY.shared;

const A: AttemptContext = { address: "192.0.2.1" };
const B: AttemptContext = { address: "192.0.2.2" };
const DEVICE: AttemptContext = { device: "device-1" };

/** `times` attempts admitted at `now` and then failed (each reservation stays a failure). */
function fail(state: ThrottleState, times: number, now: number, context = A): ThrottleState {
  for (let i = 0; i < times; i++) {
    const next = reserveAttempt(state, context, now);
    expect(next.reservation.allowed).toBe(true);
    state = next.state;
  }
  return state;
}

/** One failure from each of `count` distinct addresses (a distributed guesser). */
function failFromMany(state: ThrottleState, count: number, now: number): ThrottleState {
  for (let i = 0; i < count; i++) state = fail(state, 1, now, { address: `198.51.100.${i}` });
  return state;
}

function admitted(state: ThrottleState, context: AttemptContext, now: number) {
  const next = reserveAttempt(state, context, now);
  if (!next.reservation.allowed) throw new Error("expected the attempt to be admitted");
  return { state: next.state, reservation: next.reservation };
}

const account = (state: ThrottleState) => state as AccountState;

describe("username policy (pure): per context", () => {
  it("admits 5 attempts from an address and refuses the 6th during the 30 s lock the 5th set", () => {
    const four = fail(emptyState("username"), 4, T0);
    expect(verdict(four, A, T0)).toEqual({ allowed: true });
    const five = fail(four, 1, T0);
    expect(reserveAttempt(five, A, T0).reservation).toEqual({ allowed: false, retryAfterSeconds: 30 });
  });

  it("a guesser at one address does not lock the username for another address or a device", () => {
    const locked = fail(emptyState("username"), 5, T0, A);
    expect(verdict(locked, A, T0).allowed).toBe(false);
    expect(verdict(locked, B, T0)).toEqual({ allowed: true });
    expect(verdict(locked, DEVICE, T0)).toEqual({ allowed: true });
    // Long after, still locked at A by its backoff, and still not at B.
    const persistent = fail(locked, 1, T0 + 30 * SECOND, A);
    expect(verdict(persistent, B, T0 + 31 * SECOND)).toEqual({ allowed: true });
  });

  it("one address feeds the shared counter at most its 5 free failures", () => {
    let state = fail(emptyState("username"), 5, T0, A);
    for (let i = 1; i <= 30; i++) state = fail(state, 1, T0 + i * 20 * MINUTE, A);
    expect(account(state).shared.failures).toBe(CONTEXT.freeFailures);
    expect(account(state).contexts["a:192.0.2.1"]?.failures).toBe(35);
  });

  it("an attempt refused during a lock is not counted and does not extend the lock", () => {
    const locked = fail(emptyState("username"), 5, T0);
    expect(reserveAttempt(locked, A, T0 + 10 * SECOND).state).toBe(locked);
  });

  it("allows again when the lock ends", () => {
    const state = fail(emptyState("username"), 5, T0);
    expect(verdict(state, A, T0 + 29 * SECOND)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(verdict(state, A, T0 + 30 * SECOND)).toEqual({ allowed: true });
  });

  it("doubles the lock for each further failure, up to 15 minutes", () => {
    expect([5, 6, 7, 8, 9, 10, 11, 12, 50, 5000].map((n) => backoffLockMs(CONTEXT, n))).toEqual([
      30 * SECOND,
      60 * SECOND,
      120 * SECOND,
      240 * SECOND,
      480 * SECOND,
      15 * MINUTE,
      15 * MINUTE,
      15 * MINUTE,
      15 * MINUTE,
      15 * MINUTE,
    ]);
    const sixth = fail(fail(emptyState("username"), 5, T0), 1, T0 + 30 * SECOND);
    expect(verdict(sixth, A, T0 + 30 * SECOND)).toEqual({ allowed: false, retryAfterSeconds: 60 });
  });

  it("a success clears its context's failures and takes back its shared reservation", () => {
    const four = fail(emptyState("username"), 4, T0);
    const fifth = admitted(four, A, T0);
    const after = account(applySuccess(fifth.state, A, fifth.reservation, T0));
    expect(after.contexts["a:192.0.2.1"]).toBeUndefined();
    expect(after.shared.failures).toBe(4);
    expect(verdict(fail(after, 4, T0), A, T0)).toEqual({ allowed: true });
  });

  it("rounds Retry-After up so that a retry is never early", () => {
    const state = fail(emptyState("username"), 5, T0);
    expect(verdict(state, A, T0 + 100)).toEqual({ allowed: false, retryAfterSeconds: 30 });
  });

  it("withdrawing the reservation that set a lock lifts it and uncounts the attempt", () => {
    const four = fail(emptyState("username"), 4, T0);
    const fifth = admitted(four, A, T0 + SECOND);
    const withdrawn = account(withdrawReservation(fifth.state, A, fifth.reservation));
    expect(withdrawn.contexts["a:192.0.2.1"]).toMatchObject({ failures: 4, lockedUntil: 0 });
    expect(withdrawn.shared.failures).toBe(4);
    // Past the allowance too: the earlier lock had ended when the withdrawn attempt came.
    const sixth = admitted(fail(emptyState("username"), 5, T0), A, T0 + MINUTE);
    expect(verdict(withdrawReservation(sixth.state, A, sixth.reservation), A, T0 + MINUTE)).toEqual({
      allowed: true,
    });
  });

  it("withdrawing an earlier reservation shortens the lock a later one set", () => {
    const four = fail(emptyState("username"), 4, T0);
    const fifth = fail(four, 1, T0 + SECOND); // sets the 30 s lock
    const withdrawn = account(withdrawReservation(fifth, A, { at: T0, shared: true }));
    expect(withdrawn.contexts["a:192.0.2.1"]).toMatchObject({ failures: 4, lockedUntil: 0 });
    const sixth = fail(fail(emptyState("username"), 5, T0), 1, T0 + MINUTE); // 60 s lock
    expect(account(withdrawReservation(sixth, A, { at: T0, shared: false })).contexts["a:192.0.2.1"]).toMatchObject({
      failures: 5,
      lockedUntil: T0 + MINUTE + 30 * SECOND,
    });
  });

  it("forgets a context 24 hours after its last failure, and an empty state at once", () => {
    expect(prune(emptyState("username"), T0).forgetAt).toBeUndefined();
    const one = fail(emptyState("username"), 1, T0);
    expect(prune(one, T0).forgetAt).toBe(T0 + CONTEXT.memoryMs);
    expect(prune(one, T0 + CONTEXT.memoryMs).forgetAt).toBeUndefined();
  });
});

describe("username policy (pure): untrusted contexts share a counter", () => {
  it("20 failures from distinct addresses lock every untrusted address, with backoff", () => {
    const nineteen = failFromMany(emptyState("username"), SHARED.freeFailures - 1, T0);
    expect(verdict(nineteen, B, T0)).toEqual({ allowed: true });
    const twenty = failFromMany(nineteen, 1, T0);
    expect(verdict(twenty, B, T0)).toEqual({ allowed: false, retryAfterSeconds: 30 });
    const next = fail(twenty, 1, T0 + 30 * SECOND, B);
    expect(verdict(next, { address: "203.0.113.9" }, T0 + 30 * SECOND)).toEqual({
      allowed: false,
      retryAfterSeconds: 60,
    });
    expect(backoffLockMs(SHARED, 10_000)).toBe(15 * MINUTE);
  });

  it("a browser with the username's device cookie is not held by the shared lock", () => {
    const locked = failFromMany(emptyState("username"), SHARED.freeFailures, T0);
    expect(verdict(locked, DEVICE, T0)).toEqual({ allowed: true });
    const own = admitted(locked, DEVICE, T0);
    expect(own.reservation.shared).toBe(false);
    expect(account(own.state).shared).toEqual(account(locked).shared);
  });

  it("a device cookie has its own backoff: 5 failures, then 30 s", () => {
    const five = fail(emptyState("username"), 5, T0, DEVICE);
    expect(verdict(five, DEVICE, T0)).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect(verdict(five, { device: "device-2" }, T0)).toEqual({ allowed: true });
    expect(account(five).shared.failures).toBe(0);
  });

  it("an address the owner signed in from is known for 30 days and skips the shared lock", () => {
    const first = admitted(emptyState("username"), A, T0);
    const known = applySuccess(first.state, A, first.reservation, T0);
    const locked = failFromMany(known, SHARED.freeFailures, T0 + MINUTE);
    expect(verdict(locked, A, T0 + MINUTE)).toEqual({ allowed: true });
    expect(verdict(locked, B, T0 + MINUTE).allowed).toBe(false);
    const later = T0 + USERNAME_POLICY.knownAddressMs + SECOND;
    const lockedLater = failFromMany(prune(known, later).state, SHARED.freeFailures, later);
    expect(verdict(lockedLater, A, later).allowed).toBe(false);
  });

  it("the owner's success does not reset the shared counter a guesser built up", () => {
    const nineteen = failFromMany(emptyState("username"), SHARED.freeFailures - 1, T0);
    const owner = admitted(nineteen, DEVICE, T0);
    const after = applySuccess(owner.state, DEVICE, owner.reservation, T0);
    expect(account(after).shared.failures).toBe(SHARED.freeFailures - 1);
  });
});

describe("address policy (pure)", () => {
  const X: AttemptContext = { address: "192.0.2.1" };
  const failAt = (state: ThrottleState, times: number, now: number) => fail(state, times, now, X);

  it("locks an address for 15 minutes after more than 30 failures within 15 minutes", () => {
    const thirty = failAt(emptyState("address"), ADDRESS_POLICY.maxFailures, T0);
    expect(verdict(thirty, X, T0)).toEqual({ allowed: true });
    const locked = failAt(thirty, 1, T0 + MINUTE);
    expect(verdict(locked, X, T0 + MINUTE)).toEqual({ allowed: false, retryAfterSeconds: 15 * 60 });
    expect(reserveAttempt(locked, X, T0 + 2 * MINUTE).state).toBe(locked);
    expect(verdict(locked, X, T0 + 16 * MINUTE)).toEqual({ allowed: true });
    expect(verdict(failAt(locked, 1, T0 + 16 * MINUTE), X, T0 + 16 * MINUTE)).toEqual({ allowed: true });
  });

  it("does not count failures older than 15 minutes", () => {
    const old = failAt(emptyState("address"), ADDRESS_POLICY.maxFailures, T0);
    const later = failAt(old, 1, T0 + 15 * MINUTE);
    expect(verdict(later, X, T0 + 15 * MINUTE)).toEqual({ allowed: true });
  });

  it("a success neither resets an address's failures nor counts as one", () => {
    const thirty = failAt(emptyState("address"), ADDRESS_POLICY.maxFailures, T0);
    const last = admitted(thirty, X, T0); // the 31st attempt was a success
    const succeeded = applySuccess(last.state, X, last.reservation, T0);
    expect(verdict(succeeded, X, T0)).toEqual({ allowed: true });
    expect(verdict(failAt(succeeded, 1, T0), X, T0).allowed).toBe(false);
  });

  it("withdrawing a reservation uncounts it, lifting the lock it set", () => {
    const thirty = failAt(emptyState("address"), ADDRESS_POLICY.maxFailures, T0);
    const last = admitted(thirty, X, T0 + SECOND);
    expect(verdict(last.state, X, T0 + SECOND).allowed).toBe(false);
    expect(withdrawReservation(last.state, X, last.reservation)).toEqual(thirty);
  });

  it("forgets an address when its newest failure leaves the window", () => {
    expect(prune(failAt(emptyState("address"), 2, T0), T0).forgetAt).toBe(T0 + ADDRESS_POLICY.windowMs);
  });
});

describe("address keys", () => {
  it("keys an IPv6 address by its /64 prefix, whatever its spelling", () => {
    const key = addressKey("2001:db8:1:2::1");
    expect(key).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:0DB8:0001:0002:ffff:ffff:ffff:ffff")).toBe(key);
    expect(addressKey("2001:db8:1:2:a:b:c:d")).toBe(key);
    expect(addressKey("2001:db8:1:2:a:b:192.0.2.1")).toBe(key);
    expect(addressKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
  });

  it("keeps different /64 prefixes apart", () => {
    expect(addressKey("2001:db8:1:3::1")).not.toBe(addressKey("2001:db8:1:2::1"));
    expect(addressKey("2001:db8::1")).not.toBe(addressKey("2001:db8:0:1::1"));
  });

  it("keys an IPv4 address, also IPv4-mapped, by the whole address", () => {
    expect(addressKey("192.0.2.1")).toBe("192.0.2.1");
    expect(addressKey("192.0.2.2")).not.toBe(addressKey("192.0.2.1"));
    expect(addressKey("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(addressKey("::ffff:c000:201")).toBe("192.0.2.1");
  });

  it("keys what does not parse as it is", () => {
    const unparseable = ["2001:db8::1::2", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "::ffff:1.2.3.256", "x::1"];
    for (const raw of unparseable) expect(addressKey(raw)).toBe(raw);
  });
});

function uniqueName(): string {
  return `user-${crypto.randomUUID()}`;
}

/** The attempt's permit, or its throttle error. */
async function tryAttempt(attempt: LoginAttempt): Promise<LoginPermit | OAuthError> {
  try {
    return await assertLoginAllowed(env, attempt);
  } catch (err) {
    if (err instanceof OAuthError) return err;
    throw err;
  }
}

/** The attempt's throttle error, or undefined if it was admitted (and then left a failure). */
async function lockError(attempt: LoginAttempt): Promise<OAuthError | undefined> {
  const result = await tryAttempt(attempt);
  return result instanceof OAuthError ? result : undefined;
}

/** `times` admitted attempts with a wrong password, one after another. */
async function failTimes(attempt: LoginAttempt, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const permit = await tryAttempt(attempt);
    if (permit instanceof OAuthError) throw new Error(`attempt ${i + 1} was refused`);
    await recordLoginResult(env, permit, null);
  }
}

/** An admitted attempt with the right password. */
async function succeed(attempt: LoginAttempt): Promise<void> {
  const permit = await tryAttempt(attempt);
  if (permit instanceof OAuthError) throw new Error("the attempt was refused");
  await recordLoginResult(env, permit, "sub-of-the-owner");
}

function usernameStub(username: string) {
  return env.THROTTLE.getByName(`username:${normaliseUsername(username)}`);
}

async function storedState(stub: ReturnType<typeof usernameStub>) {
  return runInDurableObject(stub, (_i, state) => state.storage.kv.get<ThrottleState>("state"));
}

describe("login throttle (Durable Object through env.THROTTLE)", () => {
  it("locks a username at an address after 5 failures with 429 temporarily_unavailable and Retry-After", async () => {
    const attempt = { username: uniqueName(), ip: uniqueIp() };
    await failTimes(attempt, 5);
    const err = await lockError(attempt);
    expect(err).toBeInstanceOf(OAuthError);
    expect(err?.error).toBe("temporarily_unavailable");
    expect(err?.status).toBe(429);
    const retryAfter = Number(err?.headers["Retry-After"]);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(30);
  });

  it("admits exactly 5 of 40 concurrent attempts on one username from one address", async () => {
    const username = uniqueName();
    const ip = uniqueIp();
    const results = await Promise.all(Array.from({ length: 40 }, () => lockError({ username, ip })));
    const refused = results.filter((err) => err !== undefined);
    expect(results.length - refused.length).toBe(CONTEXT.freeFailures);
    for (const err of refused) expect(err.status).toBe(429);
  });

  it("admits exactly 20 of 40 concurrent attempts on one username from 40 networks", async () => {
    const username = uniqueName();
    // A botnet: every attempt from its own network, so only the username's shared counter applies.
    const results = await Promise.all(
      Array.from({ length: 40 }, () => lockError({ username, ip: uniqueIp() })),
    );
    const refused = results.filter((err) => err !== undefined);
    expect(results.length - refused.length).toBe(SHARED.freeFailures);
    for (const err of refused) {
      expect(err.status).toBe(429);
      expect(Number(err.headers["Retry-After"])).toBeGreaterThan(0);
    }
    // The refused attempts were not counted: the lock is the one the 20th failure set.
    const state = (await storedState(usernameStub(username))) as AccountState;
    expect(state.shared.failures).toBe(SHARED.freeFailures);
    expect(Object.keys(state.contexts)).toHaveLength(SHARED.freeFailures);
  });

  it("admits exactly 31 of 40 concurrent attempts from one address across usernames", async () => {
    const ip = uniqueIp();
    const usernames = Array.from({ length: 40 }, uniqueName);
    const results = await Promise.all(usernames.map((username) => lockError({ username, ip })));
    const admittedCount = results.filter((err) => err === undefined).length;
    expect(admittedCount).toBe(ADDRESS_POLICY.maxFailures + 1);
    // A username whose attempt the address refused has nothing counted against it.
    const refusedName = usernames[results.findIndex((err) => err !== undefined)]!;
    expect(await storedState(usernameStub(refusedName))).toBeUndefined();
  });

  it("counts the username after NFKC and lowercase normalisation", async () => {
    const name = uniqueName();
    const ip = uniqueIp();
    await failTimes({ username: name.toUpperCase(), ip }, 5);
    expect(await lockError({ username: name, ip })).toBeInstanceOf(OAuthError);
    const fullwidth = "ＡＬＩＣＥ-" + name;
    expect(normaliseUsername(fullwidth)).toBe("alice-" + name);
  });

  it("a success resets the count of its address", async () => {
    const attempt = { username: uniqueName(), ip: uniqueIp() };
    await failTimes(attempt, 4);
    await succeed(attempt);
    await failTimes(attempt, 5);
    expect(await lockError(attempt)).toBeInstanceOf(OAuthError);
  });

  it("a refused attempt neither counts nor extends the lock", async () => {
    const attempt = { username: uniqueName(), ip: uniqueIp() };
    await failTimes(attempt, 5);
    const before = await storedState(usernameStub(attempt.username));
    for (let i = 0; i < 3; i++) expect(await lockError(attempt)).toBeInstanceOf(OAuthError);
    expect(await storedState(usernameStub(attempt.username))).toEqual(before);
  });

  it("locks an address after more than 30 failures across usernames", async () => {
    const ip = uniqueIp();
    for (let i = 0; i <= ADDRESS_POLICY.maxFailures; i++) {
      await failTimes({ username: uniqueName(), ip }, 1);
    }
    const username = uniqueName();
    const err = await lockError({ username, ip });
    expect(err?.status).toBe(429);
    expect(Number(err?.headers["Retry-After"])).toBeGreaterThan(14 * 60);
    // Another address in the same /64 is the same network.
    const sameNetwork = ip.replace(/::.*$/, "::ffff");
    expect(await lockError({ username, ip: sameNetwork })).toBeInstanceOf(OAuthError);
    expect(await storedState(usernameStub(username))).toBeUndefined();
  });

  it("a device cookie's attempts pass a locked address and count under the device only", async () => {
    const ip = uniqueIp();
    for (let i = 0; i <= ADDRESS_POLICY.maxFailures; i++) {
      await failTimes({ username: uniqueName(), ip }, 1);
    }
    const username = uniqueName();
    expect(await lockError({ username, ip })).toBeInstanceOf(OAuthError);
    await failTimes({ username, ip, device: "device-of-the-owner" }, 1);
    const state = (await storedState(usernameStub(username))) as AccountState;
    expect(Object.keys(state.contexts)).toEqual(["d:device-of-the-owner"]);
    expect(state.shared.failures).toBe(0);
  });

  it("successes from an address do not count as its failures", async () => {
    const ip = uniqueIp();
    for (let i = 0; i < ADDRESS_POLICY.maxFailures; i++) {
      await failTimes({ username: uniqueName(), ip }, 1);
    }
    for (let i = 0; i < 3; i++) await succeed({ username: uniqueName(), ip });
    await failTimes({ username: uniqueName(), ip }, 1); // the 31st failure
    expect(await lockError({ username: uniqueName(), ip })).toBeInstanceOf(OAuthError);
  });

  it("one locked key does not lock another username, nor the username at another address", async () => {
    const locked = { username: uniqueName(), ip: uniqueIp() };
    await failTimes(locked, 5);
    expect(await lockError(locked)).toBeInstanceOf(OAuthError);
    expect(await lockError({ username: uniqueName(), ip: locked.ip })).toBeUndefined();
    expect(await lockError({ username: locked.username, ip: uniqueIp() })).toBeUndefined();
  });

  it("allows the username again once the lock has passed", async () => {
    const attempt = { username: uniqueName(), ip: uniqueIp() };
    await failTimes(attempt, 5);
    expect(await lockError(attempt)).toBeInstanceOf(OAuthError);
    // Move the stored lock into the past instead of waiting for it.
    await runInDurableObject(usernameStub(attempt.username), (_instance, state) => {
      const s = state.storage.kv.get<AccountState>("state")!;
      const contexts = Object.fromEntries(
        Object.entries(s.contexts).map(([k, c]) => [k, { ...c, lockedUntil: Date.now() - 1 }]),
      );
      state.storage.kv.put("state", { ...s, contexts });
    });
    expect(await lockError(attempt)).toBeUndefined();
  });

  it("a username state stored by the previous release starts afresh instead of failing", async () => {
    const attempt = { username: uniqueName(), ip: uniqueIp() };
    await runInDurableObject(usernameStub(attempt.username), (_i, state) => {
      state.storage.kv.put("state", {
        kind: "username",
        failures: 5,
        lockedUntil: Date.now() + MINUTE,
        lastFailure: Date.now(),
      });
    });
    expect(await lockError(attempt)).toBeUndefined();
    const stored = (await storedState(usernameStub(attempt.username))) as AccountState;
    expect(stored.shared.failures).toBe(1);
  });

  it("schedules an alarm that deletes idle state", async () => {
    const username = uniqueName();
    await failTimes({ username, ip: undefined }, 1);
    const stub = usernameStub(username);
    const alarm = await runInDurableObject(stub, (_i, state) => state.storage.getAlarm());
    expect(alarm).toBeGreaterThan(Date.now() + CONTEXT.memoryMs - MINUTE);
    await runInDurableObject(stub, (_i, state) => {
      const s = state.storage.kv.get<AccountState>("state")!;
      const old = Date.now() - CONTEXT.memoryMs - 1;
      const contexts = Object.fromEntries(
        Object.entries(s.contexts).map(([k, c]) => [k, { ...c, lastFailure: old }]),
      );
      state.storage.kv.put("state", { ...s, contexts, shared: { ...s.shared, lastFailure: old } });
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const left = await runInDurableObject(stub, (_i, state) => [...state.storage.kv.list()]);
    expect(left).toEqual([]);
  });
});
