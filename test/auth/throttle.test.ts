import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  ADDRESS_POLICY,
  USERNAME_POLICY,
  applyResult,
  emptyState,
  forgetAt,
  usernameLockMs,
  verdict,
  type ThrottleState,
} from "../../src/auth/throttle-policy";
import {
  assertLoginAllowed,
  normalizeUsername,
  recordLoginResult,
  type LoginAttempt,
} from "../../src/auth/throttle";
import { OAuthError } from "../../src/oauth/errors";
import { TestBrowser, authorizationRequest } from "../helpers/browser";
import { createClient, createUser } from "../helpers/fixtures";

const T0 = Date.UTC(2030, 0, 1);
const SECOND = 1000;
const MINUTE = 60 * SECOND;

function fail(state: ThrottleState, times: number, now: number): ThrottleState {
  for (let i = 0; i < times; i++) state = applyResult(state, false, now);
  return state;
}

describe("username policy (pure)", () => {
  it("allows the first 5 consecutive failures without a lock", () => {
    const state = fail(emptyState("username"), 4, T0);
    expect(verdict(state, T0)).toEqual({ allowed: true });
    expect(verdict(fail(state, 1, T0), T0)).toEqual({ allowed: false, retryAfterSeconds: 30 });
  });

  it("locks for 30 s after the 5th failure and allows again when the lock ends", () => {
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
    const afterSuccess = applyResult(fail(emptyState("username"), 4, T0), true, T0);
    expect(verdict(fail(afterSuccess, 4, T0), T0)).toEqual({ allowed: true });
  });

  it("rounds Retry-After up so that a retry is never early", () => {
    const state = fail(emptyState("username"), 5, T0);
    expect(verdict(state, T0 + 100)).toEqual({ allowed: false, retryAfterSeconds: 30 });
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
    expect(verdict(locked, T0 + 16 * MINUTE)).toEqual({ allowed: true });
  });

  it("does not count failures older than 15 minutes", () => {
    const old = fail(emptyState("address"), ADDRESS_POLICY.maxFailures, T0);
    const later = fail(old, 1, T0 + 15 * MINUTE);
    expect(verdict(later, T0 + 15 * MINUTE)).toEqual({ allowed: true });
  });

  it("a success does not reset an address's failures", () => {
    const thirty = fail(emptyState("address"), ADDRESS_POLICY.maxFailures, T0);
    const afterSuccess = applyResult(thirty, true, T0);
    expect(verdict(fail(afterSuccess, 1, T0), T0).allowed).toBe(false);
  });

  it("forgets an address when its newest failure leaves the window", () => {
    expect(forgetAt(fail(emptyState("address"), 2, T0), T0)).toBe(T0 + ADDRESS_POLICY.windowMs);
  });
});

function uniqueName(): string {
  return `user-${crypto.randomUUID()}`;
}

function uniqueIp(): string {
  // Documentation range plus random bytes: fresh per test, never a real address.
  const b = crypto.getRandomValues(new Uint8Array(2));
  return `2001:db8::${b[0]!.toString(16)}:${b[1]!.toString(16)}:${crypto.randomUUID().slice(0, 4)}`;
}

async function failTimes(attempt: LoginAttempt, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await recordLoginResult(env, attempt, false);
}

async function lockError(attempt: LoginAttempt): Promise<OAuthError | undefined> {
  try {
    await assertLoginAllowed(env, attempt);
    return undefined;
  } catch (err) {
    if (err instanceof OAuthError) return err;
    throw err;
  }
}

describe("login throttle (Durable Object through env.THROTTLE)", () => {
  it("locks a username after 5 failures with 429 temporarily_unavailable and Retry-After", async () => {
    const attempt = { username: uniqueName(), ip: uniqueIp() };
    await failTimes(attempt, 4);
    expect(await lockError(attempt)).toBeUndefined();
    await failTimes(attempt, 1);
    const err = await lockError(attempt);
    expect(err).toBeInstanceOf(OAuthError);
    expect(err?.error).toBe("temporarily_unavailable");
    expect(err?.status).toBe(429);
    const retryAfter = Number(err?.headers["Retry-After"]);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(30);
  });

  it("counts the username after NFKC and lowercase normalisation", async () => {
    const name = uniqueName();
    expect(normalizeUsername("ＡＬＩＣＥ")).toBe("alice");
    await failTimes({ username: name.toUpperCase(), ip: undefined }, 5);
    expect(await lockError({ username: name, ip: uniqueIp() })).toBeInstanceOf(OAuthError);
  });

  it("a success resets the username's count", async () => {
    const attempt = { username: uniqueName(), ip: uniqueIp() };
    await failTimes(attempt, 4);
    await recordLoginResult(env, attempt, true);
    await failTimes(attempt, 4);
    expect(await lockError(attempt)).toBeUndefined();
  });

  it("locks an address after more than 30 failures across usernames", async () => {
    const ip = uniqueIp();
    for (let i = 0; i < ADDRESS_POLICY.maxFailures; i++) {
      await recordLoginResult(env, { username: uniqueName(), ip }, false);
    }
    expect(await lockError({ username: uniqueName(), ip })).toBeUndefined();
    await recordLoginResult(env, { username: uniqueName(), ip }, false);
    const err = await lockError({ username: uniqueName(), ip });
    expect(err?.status).toBe(429);
    expect(Number(err?.headers["Retry-After"])).toBeGreaterThan(14 * 60);
  });

  it("one locked key does not lock another username or address", async () => {
    const locked = { username: uniqueName(), ip: uniqueIp() };
    await failTimes(locked, 5);
    expect(await lockError({ username: uniqueName(), ip: locked.ip })).toBeUndefined();
  });

  it("allows the username again once the lock has passed", async () => {
    const username = uniqueName();
    await failTimes({ username, ip: undefined }, 5);
    const stub = env.THROTTLE.get(env.THROTTLE.idFromName(`username:${normalizeUsername(username)}`));
    // Move the stored lock into the past instead of waiting for it.
    await runInDurableObject(stub, (_instance, state) => {
      const s = state.storage.kv.get<ThrottleState>("state");
      state.storage.kv.put("state", { ...s, lockedUntil: Date.now() - 1 });
    });
    expect(await lockError({ username, ip: undefined })).toBeUndefined();
  });

  it("schedules an alarm that deletes idle state", async () => {
    const username = uniqueName();
    await failTimes({ username, ip: undefined }, 1);
    const stub = env.THROTTLE.get(env.THROTTLE.idFromName(`username:${normalizeUsername(username)}`));
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
