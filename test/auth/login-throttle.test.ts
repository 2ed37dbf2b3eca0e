/**
 * The password throttle seen from outside, through the login form: it stops guessers without
 * letting them lock the owner out (NIST SP 800-63B §5.2.2; rules in src/auth/throttle-policy.ts).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { USERNAME_POLICY } from "../../src/storage/throttle-policy";
import { TestBrowser, authorizationRequest } from "../helpers/browser";
import { type TestClient, type TestUser, createClient, createUser } from "../helpers/fixtures";
import { uniqueIp } from "../helpers/addresses";
import { loggedSecurityEvents } from "../helpers/security-log";

const DEVICE_COOKIE = "gatehouse-device";

/**
 * Opens the login page in `browser` and submits it once per password from `ip`; answers the
 * last response.
 */
async function submitPasswords(
  client: TestClient,
  username: string,
  passwords: string[],
  ip: string,
  browser = new TestBrowser(),
): Promise<Response> {
  let page = await (await browser.fetch((await authorizationRequest(client)).url)).text();
  let res: Response | undefined;
  for (const password of passwords) {
    res = await browser.submit(page, { username, password }, { "CF-Connecting-IP": ip });
    page = await res.clone().text();
  }
  return res!;
}

const wrongPasswords = (n: number) => Array.from({ length: n }, (_, i) => `wrong-${i}`);

/** Signed in: the consent page (a client never allowed before) or the redirect with a code. */
function expectSignedIn(res: Response): void {
  expect(res.status, "the right password gets in").not.toBe(429);
  expect([200, 303]).toContain(res.status);
}

async function expectThrottled(res: Response): Promise<void> {
  expect(res.status).toBe(429);
  expect(Number(res.headers.get("Retry-After"))).toBeGreaterThan(0);
  expect(await res.text()).toMatch(/role="alert"[^>]*>[^<]*try again later/i);
}

/** A distributed guesser: one wrong password from each of `count` networks, concurrently. */
async function guessFromManyNetworks(client: TestClient, user: TestUser, count: number) {
  return Promise.all(
    Array.from({ length: count }, () =>
      submitPasswords(client, user.username, ["guess"], uniqueIp()),
    ),
  );
}

/** A browser that has signed in as `user` once and then signed out: it keeps only its device cookie. */
async function ownersBrowser(client: TestClient, user: TestUser): Promise<TestBrowser> {
  const signedIn = new TestBrowser();
  expectSignedIn(await submitPasswords(client, user.username, [user.password], uniqueIp(), signedIn));
  const device = signedIn.cookies.get(DEVICE_COOKIE);
  expect(device, "a successful sign-in leaves a device cookie").toBeTruthy();
  const browser = new TestBrowser();
  browser.cookies.set(DEVICE_COOKIE, device!);
  return browser;
}

afterEach(() => vi.restoreAllMocks());

describe("login throttle through the login form", () => {
  it("refuses even the right password from the guessing address after 5 failures", async () => {
    const [client, user] = await Promise.all([createClient(), createUser()]);
    const res = await submitPasswords(client, user.username, [...wrongPasswords(5), user.password], uniqueIp());
    await expectThrottled(res);
  });

  it("lets the right password in after 4 failures", async () => {
    const [client, user] = await Promise.all([createClient(), createUser()]);
    const res = await submitPasswords(client, user.username, [...wrongPasswords(4), user.password], uniqueIp());
    expectSignedIn(res);
  });

  it("an attacker failing at one address does not stop the owner signing in from another", async () => {
    const [client, user] = await Promise.all([createClient(), createUser()]);
    const attacker = uniqueIp();
    await expectThrottled(await submitPasswords(client, user.username, wrongPasswords(6), attacker));
    expectSignedIn(await submitPasswords(client, user.username, [user.password], uniqueIp()));
    // The attacker's address stays refused, right password or not.
    await expectThrottled(await submitPasswords(client, user.username, [user.password], attacker));
  });

  it("a distributed guesser is slowed for the username: new networks are refused", async () => {
    const [client, user] = await Promise.all([createClient(), createUser()]);
    const answers = await guessFromManyNetworks(client, user, USERNAME_POLICY.shared.freeFailures + 5);
    const statuses = answers.map((res) => res.status).sort();
    expect(statuses.filter((s) => s === 400)).toHaveLength(USERNAME_POLICY.shared.freeFailures);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    // Yet another network, even with the right password: untrusted contexts wait.
    await expectThrottled(await submitPasswords(client, user.username, [user.password], uniqueIp()));
  });

  it("the owner's browser with its device cookie signs in while a distributed guesser holds the username", async () => {
    const [client, user] = await Promise.all([createClient(), createUser()]);
    const owner = await ownersBrowser(client, user);
    await guessFromManyNetworks(client, user, USERNAME_POLICY.shared.freeFailures);
    // From a network the guessers share, too: the device cookie is its own context.
    expectSignedIn(await submitPasswords(client, user.username, [user.password], uniqueIp(), owner));
  });

  it("a device cookie counts its own failures: 5, then it waits too", async () => {
    const [client, user] = await Promise.all([createClient(), createUser()]);
    const owner = await ownersBrowser(client, user);
    const res = await submitPasswords(client, user.username, [...wrongPasswords(5), user.password], uniqueIp(), owner);
    await expectThrottled(res);
  });

  it("a device cookie for another username does not help", async () => {
    const [client, user, other] = await Promise.all([createClient(), createUser(), createUser()]);
    const othersBrowser = await ownersBrowser(client, other);
    await guessFromManyNetworks(client, user, USERNAME_POLICY.shared.freeFailures);
    await expectThrottled(
      await submitPasswords(client, user.username, [user.password], uniqueIp(), othersBrowser),
    );
  });

  it("a tampered device cookie is no device cookie", async () => {
    const [client, user] = await Promise.all([createClient(), createUser()]);
    const owner = await ownersBrowser(client, user);
    const value = owner.cookies.get(DEVICE_COOKIE)!;
    owner.cookies.set(DEVICE_COOKIE, value.slice(0, -4) + (value.endsWith("AAAA") ? "BBBB" : "AAAA"));
    await guessFromManyNetworks(client, user, USERNAME_POLICY.shared.freeFailures);
    await expectThrottled(await submitPasswords(client, user.username, [user.password], uniqueIp(), owner));
  });

  it("an address the owner signed in from gets in, in a new browser, while a distributed guesser holds the username", async () => {
    const [client, user] = await Promise.all([createClient(), createUser()]);
    const home = uniqueIp();
    expectSignedIn(await submitPasswords(client, user.username, [user.password], home));
    await guessFromManyNetworks(client, user, USERNAME_POLICY.shared.freeFailures);
    expectSignedIn(await submitPasswords(client, user.username, [user.password], home));
  });

  it("the device cookie is HttpOnly, SameSite=Lax and does not show the username", async () => {
    const [client, user] = await Promise.all([createClient(), createUser()]);
    const browser = new TestBrowser();
    let page = await (await browser.fetch((await authorizationRequest(client)).url)).text();
    const res = await browser.submit(page, { username: user.username, password: user.password });
    page = await res.text();
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${DEVICE_COOKIE}=`));
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toContain(user.username);
    // A failed sign-in sets none.
    const failed = await submitPasswords(client, user.username, ["wrong"], uniqueIp());
    expect(failed.headers.getSetCookie().some((c) => c.startsWith(`${DEVICE_COOKIE}=`))).toBe(false);
  });

  it("logs login.failed, login.throttled and login.succeeded, never a password", async () => {
    const [client, user] = await Promise.all([createClient(), createUser()]);
    const log = vi.spyOn(console, "log");
    const ip = uniqueIp();
    await submitPasswords(client, user.username, [...wrongPasswords(6)], ip);
    await submitPasswords(client, user.username, [user.password], uniqueIp());
    const events = loggedSecurityEvents(log)
      .filter((e) => e.username === user.username || e.sub === user.sub);
    expect(events.map((e) => e.type)).toEqual([
      ...Array<string>(5).fill("login.failed"),
      "login.throttled",
      "login.succeeded",
    ]);
    expect(events[5]).toMatchObject({ ip, retry_after: 30 });
    const text = JSON.stringify(log.mock.calls);
    expect(text).not.toContain(user.password);
    expect(text).not.toContain("wrong-0");
  });
});
