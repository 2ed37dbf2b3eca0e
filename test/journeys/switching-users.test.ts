import { afterEach, describe, expect, it, vi } from "vitest";
import {
  authorizationRequest,
  authorizeWithLogin,
  parseForm,
  redeemCode,
  redirectParams,
  silentSubject,
  TestBrowser,
} from "../helpers/browser";
import { createClient, createUser, type TestClient, type TestUser } from "../helpers/fixtures";

afterEach(() => {
  vi.useRealTimers();
});

/** Two people who have both allowed `client` before (each on a device of their own). */
async function twoPeopleWhoConsented(client: TestClient): Promise<[TestUser, TestUser]> {
  const alice = await createUser();
  const bob = await createUser();
  await authorizeWithLogin(client, alice);
  await authorizeWithLogin(client, bob);
  return [alice, bob];
}

/** Opens the login page of a new authorization request, as a tab would. */
async function openTab(browser: TestBrowser, client: TestClient, extra: Record<string, string> = {}) {
  const req = await authorizationRequest(client, { extra });
  const page = await browser.fetch(req.url);
  expect(page.status).toBe(200);
  return { ...req, page: await page.text() };
}

describe("journey: switching users and signing in again", () => {
  it("signing in as someone else (prompt=login) switches the browser to that person", async () => {
    const client = await createClient();
    const [alice, bob] = await twoPeopleWhoConsented(client);
    const { browser } = await authorizeWithLogin(client, alice); // Alice is signed in here

    const tab = await openTab(browser, client, { prompt: "login" });
    const back = await browser.submit(tab.page, { username: bob.username, password: bob.password });
    expect(back.status).toBe(303);
    const code = redirectParams(back, client.redirect_uri).get("code") as string;
    expect((await redeemCode(client, code, tab.pkce.verifier)).sub).toBe(bob.sub);

    // The next silent request is answered for Bob, not Alice.
    expect(await silentSubject(browser, client)).toBe(bob.sub);
  });

  it("after signing in again because the session was too old (max_age), the app is not sent back to the login page", async () => {
    const client = await createClient();
    const user = await createUser();
    const signedInAt = Math.floor(Date.now() / 1000);
    const { browser } = await authorizeWithLogin(client, user);
    // An hour passes: the session is an hour old.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 3600_000);

    const tab = await openTab(browser, client, { max_age: "600" });
    const back = await browser.submit(tab.page, { username: user.username, password: user.password });
    expect(back.status).toBe(303);
    const code = redirectParams(back, client.redirect_uri).get("code") as string;
    const { authTime } = await redeemCode(client, code, tab.pkce.verifier);
    expect(authTime).toBeGreaterThan(signedInAt + 3000);

    // auth_time moved: the same max_age is now satisfied without another sign-in.
    const again = await authorizationRequest(client, { extra: { max_age: "600" } });
    const res = await browser.fetch(again.url);
    expect(res.status).toBe(302);
    expect(redirectParams(res, client.redirect_uri).get("code")).toBeTruthy();
  });
});

/**
 * Two tabs of one browser share its cookies. Decided outcome: every sign-in that completes
 * answers its own tab's application for the person who signed in in that tab; the browser's
 * session is the last sign-in's (signing in always replaces the session); a consent page still
 * open for an earlier person is refused (it would be given under someone else's session) and
 * asks to start again.
 */
describe("journey: two tabs signing in at once", () => {
  it("the same person signing in in two tabs at once reaches the app in both, and stays signed in", async () => {
    const client = await createClient();
    const user = await createUser();
    await authorizeWithLogin(client, user);
    const browser = new TestBrowser();
    const first = await openTab(browser, client);
    const second = await openTab(browser, client);

    const credentials = { username: user.username, password: user.password };
    const [a, b] = await Promise.all([
      browser.submit(first.page, credentials),
      browser.submit(second.page, credentials),
    ]);
    for (const [res, tab] of [[a, first], [b, second]] as const) {
      expect(res.status).toBe(303);
      const params = redirectParams(res, client.redirect_uri);
      expect(params.get("state")).toBe(tab.state);
      const code = params.get("code") as string;
      expect((await redeemCode(client, code, tab.pkce.verifier)).sub).toBe(user.sub);
    }
    const silent = await browser.fetch((await authorizationRequest(client, { extra: { prompt: "none" } })).url);
    expect(redirectParams(silent, client.redirect_uri).get("code")).toBeTruthy();
  });

  it("two tabs opened at the same instant in a new browser both sign in", async () => {
    const client = await createClient();
    const user = await createUser();
    await authorizeWithLogin(client, user);
    const browser = new TestBrowser();
    // Neither request carries a CSRF cookie yet: each page gets its own token, and the later
    // Set-Cookie replaces the earlier.
    const [first, second] = await Promise.all([openTab(browser, client), openTab(browser, client)]);
    expect(parseForm(first.page).hidden.csrf).not.toBe(parseForm(second.page).hidden.csrf);

    const credentials = { username: user.username, password: user.password };
    // A browser marks its own form POSTs as same-origin (Fetch Metadata).
    const sameOrigin = { "Sec-Fetch-Site": "same-origin" };
    for (const tab of [first, second]) {
      const res = await browser.submit(tab.page, credentials, sameOrigin);
      expect(res.status).toBe(303);
      const code = redirectParams(res, client.redirect_uri).get("code") as string;
      expect((await redeemCode(client, code, tab.pkce.verifier)).sub).toBe(user.sub);
    }
  });

  it("two people signing in in two tabs: each tab's app gets its own person, the browser keeps the last", async () => {
    const client = await createClient();
    const [alice, bob] = await twoPeopleWhoConsented(client);
    const browser = new TestBrowser();
    const first = await openTab(browser, client);
    const second = await openTab(browser, client);

    const a = await browser.submit(first.page, { username: alice.username, password: alice.password });
    const b = await browser.submit(second.page, { username: bob.username, password: bob.password });
    const codeA = redirectParams(a, client.redirect_uri).get("code") as string;
    const codeB = redirectParams(b, client.redirect_uri).get("code") as string;
    expect((await redeemCode(client, codeA, first.pkce.verifier)).sub).toBe(alice.sub);
    expect((await redeemCode(client, codeB, second.pkce.verifier)).sub).toBe(bob.sub);

    expect(await silentSubject(browser, client)).toBe(bob.sub);
  });

  it("a consent page left open while someone else signs in in another tab is refused, not given for them", async () => {
    const client = await createClient();
    const alice = await createUser();
    const bob = await createUser();
    const browser = new TestBrowser();
    const first = await openTab(browser, client);
    const second = await openTab(browser, client);
    const aliceConsent = await browser.submit(first.page, { username: alice.username, password: alice.password });
    const bobConsent = await browser.submit(second.page, { username: bob.username, password: bob.password });
    expect([aliceConsent.status, bobConsent.status]).toEqual([200, 200]);

    const refused = await browser.submit(await aliceConsent.text(), { decision: "allow" });
    expect(refused.status).toBe(403);
    expect(refused.headers.get("Location")).toBeNull();
    expect(await refused.text()).toContain("Start again");

    const allowed = await browser.submit(await bobConsent.text(), { decision: "allow" });
    expect(allowed.status).toBe(303);
    const code = redirectParams(allowed, client.redirect_uri).get("code") as string;
    expect((await redeemCode(client, code, second.pkce.verifier)).sub).toBe(bob.sub);
  });
});
