import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  ADDRESS_POLICY,
  USERNAME_POLICY,
  applySuccess,
  emptyState,
  forgetAt,
  reserveAttempt,
  usernameLockMs,
  verdict,
  withdrawReservation,
  type ThrottleState,
} from "../../src/auth/throttle-policy";
import {
  addressKey,
  assertLoginAllowed,
  recordLoginResult,
  type LoginAttempt,
} from "../../src/auth/throttle";
import { OAuthError } from "../../src/oauth/errors";
import { normaliseUsername } from "../../src/storage/users";
import { TestBrowser, authorizationRequest } from "../helpers/browser";
import { createClient, createUser } from "../helpers/fixtures";

const T0 = Date.UTC(2030, 0, 1);
const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** `times` attempts admitted at `now` and then failed (each reservation stays a failure). */
function fail(state: ThrottleState, times: number, now: number): ThrottleState {
  for (let i = 0; i < times; i++) {
    const next = reserveAttempt(state, now);
    expect(next.reservation.allowed).toBe(true);
    state = next.state;
  }
  return state;
}

describe("username policy (pure)", () => {
  it("admits 5 attempts and refuses the 6th during the 30 s lock the 5th failure set", () => {
    const four = fail(emptyState("username"), 4, T0);
    expect(verdict(four, T0)).toEqual({ allowed: true });
    const five = fail(four, 1, T0);
    expect(reserveAttempt(five, T0).reservation).toEqual({ allowed: false, retryAfterSeconds: 30 });
  });

  it("an attempt refused during a lock is not counted and does not extend the lock", () => {
    const locked = fail(emptyState("username"), 5, T0);
    expect(reserveAttempt(locked, T0 + 10 * SECOND).state).toBe(locked);
  });

  it("allows again when the lock ends", () => {
    const state = fail(emptyState("username"), 5, T0);
    expect(verdict(state, T0 + 29 * SECOND)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(verdict(state, T0 + 30 * SECOND)).toEqual({ allowed: true });
  });

  it("doubles the lock for each further failure, up to 15 minutes", () => {
    expect([5, 6, 7, 8, 9, 10, 11, 12, 50, 5000].map(usernameLockMs)).toEqual([
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
    expect(verdict(sixth, T0 + 30 * SECOND)).toEqual({ allowed: false, retryAfterSeconds: 60 });
  });

  it("a success resets the consecutive failures", () => {
    const afterSuccess = applySuccess(fail(emptyState("username"), 4, T0));
    expect(verdict(fail(afterSuccess, 4, T0), T0)).toEqual({ allowed: true });
  });

  it("rounds Retry-After up so that a retry is never early", () => {
    const state = fail(emptyState("username"), 5, T0);
    expect(verdict(state, T0 + 100)).toEqual({ allowed: false, retryAfterSeconds: 30 });
  });

  it("withdrawing the reservation that set a lock lifts it and uncounts the attempt", () => {
    const four = fail(emptyState("username"), 4, T0);
    const fifth = reserveAttempt(four, T0 + SECOND);
    if (!fifth.reservation.allowed) throw new Error("the 5th attempt is admitted");
    const withdrawn = withdrawReservation(fifth.state, fifth.reservation.at);
    expect(withdrawn).toMatchObject({ failures: 4, lockedUntil: 0 });
    // Past the allowance too: the earlier lock had ended when the withdrawn attempt came.
    const sixth = reserveAttempt(fail(emptyState("username"), 5, T0), T0 + MINUTE);
    if (!sixth.reservation.allowed) throw new Error("the lock has ended");
    expect(verdict(withdrawReservation(sixth.state, sixth.reservation.at), T0 + MINUTE)).toEqual({
      allowed: true,
    });
  });

  it("withdrawing an earlier reservation shortens the lock a later one set", () => {
    const four = fail(emptyState("username"), 4, T0);
    const fifth = fail(four, 1, T0 + SECOND); // sets the 30 s lock
    const withdrawn = withdrawReservation(fifth, T0);
    expect(withdrawn).toMatchObject({ failures: 4, lockedUntil: 0 });
    const sixth = fail(fail(emptyState("username"), 5, T0), 1, T0 + MINUTE); // 60 s lock
    expect(withdrawReservation(sixth, T0)).toMatchObject({
      failures: 5,
      lockedUntil: T0 + MINUTE + 30 * SECOND,
    });
  });

  it("forgets a username 24 hours after its last failure, and an empty one at once", () => {
    expect(forgetAt(emptyState("username"), T0)).toBeUndefined();
    expect(forgetAt(fail(emptyState("username"), 1, T0), T0)).toBe(T0 + USERNAME_POLICY.memoryMs);
  });
});

describe("address policy (pure)", () => {
  it("locks an address for 15 minutes after more than 30 failures within 15 minutes", () => {
    const thirty = fail(emptyState("address"), ADDRESS_POLICY.maxFailures, T0);
    expect(verdict(thirty, T0)).toEqual({ allowed: true });
    const locked = fail(thirty, 1, T0 + MINUTE);
    expect(verdict(locked, T0 + MINUTE)).toEqual({ allowed: false, retryAfterSeconds: 15 * 60 });
    expect(reserveAttempt(locked, T0 + 2 * MINUTE).state).toBe(locked);
    expect(verdict(locked, T0 + 16 * MINUTE)).toEqual({ allowed: true });
    expect(verdict(fail(locked, 1, T0 + 16 * MINUTE), T0 + 16 * MINUTE)).toEqual({ allowed: true });
  });

  it("does not count failures older than 15 minutes", () => {
    const old = fail(emptyState("address"), ADDRESS_POLICY.maxFailures, T0);
    const later = fail(old, 1, T0 + 15 * MINUTE);
    expect(verdict(later, T0 + 15 * MINUTE)).toEqual({ allowed: true });
  });

  it("a success neither resets an address's failures nor counts as one", () => {
    const thirty = fail(emptyState("address"), ADDRESS_POLICY.maxFailures, T0);
    const succeeded = applySuccess(fail(thirty, 1, T0)); // the 31st attempt was a success
    expect(verdict(succeeded, T0)).toEqual({ allowed: true });
    expect(verdict(fail(succeeded, 1, T0), T0).allowed).toBe(false);
  });

  it("withdrawing a reservation uncounts it, lifting the lock it set", () => {
    const thirty = fail(emptyState("address"), ADDRESS_POLICY.maxFailures, T0);
    const last = reserveAttempt(thirty, T0 + SECOND);
    if (!last.reservation.allowed) throw new Error("the 31st attempt is admitted");
    expect(verdict(last.state, T0 + SECOND).allowed).toBe(false);
    const withdrawn = withdrawReservation(last.state, last.reservation.at);
    expect(withdrawn).toEqual(thirty);
  });

  it("forgets an address when its newest failure leaves the window", () => {
    expect(forgetAt(fail(emptyState("address"), 2, T0), T0)).toBe(T0 + ADDRESS_POLICY.windowMs);
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

/** A fresh /64 in the documentation range per call. */
function uniqueIp(): string {
  const [a = 0, b = 0] = crypto.getRandomValues(new Uint16Array(2));
  return `2001:db8:${a.toString(16)}:${b.toString(16)}::${crypto.randomUUID().slice(0, 4)}`;
}

/** The attempt's throttle error, or undefined if it was admitted. */
async function lockError(attempt: LoginAttempt): Promise<OAuthError | undefined> {
  try {
    await assertLoginAllowed(env, attempt);
    return undefined;
  } catch (err) {
    if (err instanceof OAuthError) return err;
    throw err;
  }
}

/** `times` admitted attempts with a wrong password, one after another. */
async function failTimes(attempt: LoginAttempt, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    expect(await lockError(attempt)).toBeUndefined();
    await recordLoginResult(env, attempt, false);
  }
}

function usernameStub(username: string) {
  return env.THROTTLE.get(env.THROTTLE.idFromName(`username:${normaliseUsername(username)}`));
}

async function storedState(stub: ReturnType<typeof usernameStub>) {
  return runInDurableObject(stub, (_i, state) => state.storage.kv.get<ThrottleState>("state"));
}

describe("login throttle (Durable Object through env.THROTTLE)", () => {
  it("locks a username after 5 failures with 429 temporarily_unavailable and Retry-After", async () => {
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

  it("admits exactly 5 of 40 concurrent attempts on one username and refuses the rest", async () => {
    const username = uniqueName();
    // From 40 different networks, as a botnet would, so that only the username's limit applies.
    const results = await Promise.all(
      Array.from({ length: 40 }, () => lockError({ username, ip: uniqueIp() })),
    );
    const refused = results.filter((err) => err !== undefined);
    expect(results.length - refused.length).toBe(USERNAME_POLICY.freeFailures);
    for (const err of refused) {
      expect(err.status).toBe(429);
      expect(Number(err.headers["Retry-After"])).toBeGreaterThan(0);
    }
    // The refused attempts were not counted: the lock is the one the 5th failure set.
    expect(await storedState(usernameStub(username))).toMatchObject({ failures: 5 });
  });

  it("admits exactly 31 of 40 concurrent attempts from one address across usernames", async () => {
    const ip = uniqueIp();
    const usernames = Array.from({ length: 40 }, uniqueName);
    const results = await Promise.all(usernames.map((username) => lockError({ username, ip })));
    const admitted = results.filter((err) => err === undefined).length;
    expect(admitted).toBe(ADDRESS_POLICY.maxFailures + 1);
    // A username whose attempt the address refused has nothing counted against it.
    const refusedName = usernames[results.findIndex((err) => err !== undefined)]!;
    expect(await storedState(usernameStub(refusedName))).toBeUndefined();
  });

  it("counts the username after NFKC and lowercase normalisation", async () => {
    const name = uniqueName();
    await failTimes({ username: name.toUpperCase(), ip: undefined }, 5);
    expect(await lockError({ username: name, ip: uniqueIp() })).toBeInstanceOf(OAuthError);
    const fullwidth = "ＡＬＩＣＥ-" + name;
    expect(normaliseUsername(fullwidth)).toBe("alice-" + name);
  });

  it("a success resets the username's count", async () => {
    const attempt = { username: uniqueName(), ip: uniqueIp() };
    await failTimes(attempt, 4);
    expect(await lockError(attempt)).toBeUndefined();
    await recordLoginResult(env, attempt, true);
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

  it("successes from an address do not count as its failures", async () => {
    const ip = uniqueIp();
    for (let i = 0; i < ADDRESS_POLICY.maxFailures; i++) {
      await failTimes({ username: uniqueName(), ip }, 1);
    }
    for (let i = 0; i < 3; i++) {
      const attempt = { username: uniqueName(), ip };
      expect(await lockError(attempt)).toBeUndefined();
      await recordLoginResult(env, attempt, true);
    }
    await failTimes({ username: uniqueName(), ip }, 1); // the 31st failure
    expect(await lockError({ username: uniqueName(), ip })).toBeInstanceOf(OAuthError);
  });

  it("one locked key does not lock another username or address", async () => {
    const locked = { username: uniqueName(), ip: uniqueIp() };
    await failTimes(locked, 5);
    expect(await lockError({ username: uniqueName(), ip: locked.ip })).toBeUndefined();
  });

  it("allows the username again once the lock has passed", async () => {
    const username = uniqueName();
    await failTimes({ username, ip: undefined }, 5);
    expect(await lockError({ username, ip: undefined })).toBeInstanceOf(OAuthError);
    // Move the stored lock into the past instead of waiting for it.
    await runInDurableObject(usernameStub(username), (_instance, state) => {
      const s = state.storage.kv.get<ThrottleState>("state");
      state.storage.kv.put("state", { ...s, lockedUntil: Date.now() - 1 });
    });
    expect(await lockError({ username, ip: undefined })).toBeUndefined();
  });

  it("schedules an alarm that deletes idle state", async () => {
    const username = uniqueName();
    await failTimes({ username, ip: undefined }, 1);
    const stub = usernameStub(username);
    const alarm = await runInDurableObject(stub, (_i, state) => state.storage.getAlarm());
    expect(alarm).toBeGreaterThan(Date.now() + USERNAME_POLICY.memoryMs - MINUTE);
    await runInDurableObject(stub, (_i, state) => {
      const s = state.storage.kv.get<ThrottleState>("state");
      state.storage.kv.put("state", { ...s, lastFailure: Date.now() - USERNAME_POLICY.memoryMs - 1 });
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const left = await runInDurableObject(stub, (_i, state) => [...state.storage.kv.list()]);
    expect(left).toEqual([]);
  });
});

describe("login throttle through the login form", () => {
  /** Opens the login page and submits it once per password; answers the last response. */
  async function submitPasswords(username: string, passwords: string[], ip: string) {
    const client = await createClient();
    const browser = new TestBrowser();
    let page = await (await browser.fetch((await authorizationRequest(client)).url)).text();
    let res: Response | undefined;
    for (const password of passwords) {
      res = await browser.submit(page, { username, password }, { "CF-Connecting-IP": ip });
      page = await res.clone().text();
    }
    return res!;
  }

  it("refuses even the right password with 429 and Retry-After after 5 failures", async () => {
    const user = await createUser();
    const wrong = Array.from({ length: 5 }, (_, i) => `wrong-${i}`);
    const res = await submitPasswords(user.username, [...wrong, user.password], uniqueIp());
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(await res.text()).toMatch(/role="alert"[^>]*>[^<]*try again later/i);
  });

  it("lets the right password in after 4 failures", async () => {
    const user = await createUser();
    const wrong = Array.from({ length: 4 }, (_, i) => `wrong-${i}`);
    const res = await submitPasswords(user.username, [...wrong, user.password], uniqueIp());
    expect(res.status).not.toBe(429);
    expect(res.status).toBeLessThan(400);
  });
});
