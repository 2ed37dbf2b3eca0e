import { afterEach, describe, expect, it, vi } from "vitest";
import { READ_CACHE_TTL_MS } from "../../src/storage/isolate-cache";
import {
  authorizationRequest,
  authorizeWithLogin,
  redeemCode,
  redirectParams,
  silentSubject,
  TestBrowser,
} from "../helpers/browser";
import { countedBindings } from "../helpers/counted-bindings";
import { deployment } from "../helpers/deployment";
import { createClient, createUser } from "../helpers/fixtures";
import { request } from "../helpers/http";

/**
 * A person who allowed an application once comes back: on another device, then again on the
 * same one. Gatehouse remembers the consent, and after one sign-in the browser stays signed in.
 */
describe("journey: a returning user", () => {
  it("signs in from a new browser, goes straight back to the app, and stays signed in", async () => {
    const client = await createClient();
    const user = await createUser();
    await authorizeWithLogin(client, user); // the first visit, on another device: Allow

    const browser = new TestBrowser();
    const { url, pkce } = await authorizationRequest(client);
    const login = await browser.fetch(url);
    expect(login.status).toBe(200);
    const back = await browser.submit(await login.text(), {
      username: user.username,
      password: user.password,
    });
    // The consent is remembered: no consent page, straight back with a code…
    expect(back.status).toBe(303);
    const code = redirectParams(back, client.redirect_uri).get("code") as string;
    expect((await redeemCode(client, code, pkce.verifier)).sub).toBe(user.sub);
    // …and the browser now holds a session: the app can check silently.
    expect(browser.cookies.has("gatehouse-session")).toBe(true);
    expect(await silentSubject(browser, client)).toBe(user.sub);
  });

  it("comes back in the same browser and sees no page at all: one request, a code", async () => {
    const client = await createClient();
    const user = await createUser();
    await authorizeWithLogin(client, user);
    const browser = new TestBrowser();
    await authorizeWithLogin(client, user, {}, browser); // signs in here; consent remembered

    const again = await authorizationRequest(client);
    const res = await browser.fetch(again.url);
    expect(res.status).toBe(302);
    const params = redirectParams(res, client.redirect_uri);
    expect(params.get("state")).toBe(again.state);
    const code = params.get("code") as string;
    expect((await redeemCode(client, code, again.pkce.verifier)).sub).toBe(user.sub);
  });

  it("in the benchmark's hot flow (session + remembered consent), each authorization is one request", async () => {
    const client = await createClient();
    const user = await createUser();
    await authorizeWithLogin(client, user);
    let requests = 0;
    const browser = new TestBrowser((path, init) => {
      requests += 1;
      return request(path, init);
    });
    await authorizeWithLogin(client, user, {}, browser); // login page + sign-in: two requests
    expect(requests).toBe(2);

    const rounds = 5;
    for (let i = 0; i < rounds; i++) {
      const { url } = await authorizationRequest(client);
      const res = await browser.fetch(url);
      expect(res.status).toBe(302);
      expect(redirectParams(res, client.redirect_uri).get("code")).toBeTruthy();
    }
    expect(requests).toBe(2 + rounds);
  });
});

describe("journey: an app checks silently whether the user is signed in (prompt=none)", () => {
  it("a signed-in user is sent back with a code, without seeing a page", async () => {
    const client = await createClient();
    const user = await createUser();
    await authorizeWithLogin(client, user); // consent given on another device
    const browser = new TestBrowser();
    await authorizeWithLogin(client, user, {}, browser);

    const { url, state, pkce } = await authorizationRequest(client, { extra: { prompt: "none" } });
    const res = await browser.fetch(url);
    expect(res.status).toBe(302);
    const params = redirectParams(res, client.redirect_uri);
    expect(params.get("state")).toBe(state);
    const code = params.get("code") as string;
    expect((await redeemCode(client, code, pkce.verifier)).sub).toBe(user.sub);
  });

  it("someone not signed in is sent back with login_required, without seeing a page", async () => {
    const client = await createClient();
    const { url, state } = await authorizationRequest(client, { extra: { prompt: "none" } });
    const res = await new TestBrowser().fetch(url);
    expect(res.status).toBe(302);
    const params = redirectParams(res, client.redirect_uri);
    expect(params.get("error")).toBe("login_required");
    expect(params.get("state")).toBe(state);
    expect(params.get("code")).toBeNull();
  });
});

describe("journey: the hot path costs what DESIGN.md budgets", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("an authorization with a session and a remembered consent calls no Durable Object and reads client, user and consent once each per cache window", async () => {
    const calls: string[] = [];
    const send = deployment(countedBindings(calls));
    const client = await createClient();
    const user = await createUser();
    const browser = new TestBrowser(send);
    await authorizeWithLogin(client, user, {}, browser);
    const warm = await browser.fetch((await authorizationRequest(client)).url);
    expect(warm.status).toBe(302); // keys imported, isolate warm

    // Within the isolate's read cache window (src/storage/isolate-cache.ts): no storage at all.
    calls.length = 0;
    const cached = await browser.fetch((await authorizationRequest(client)).url);
    expect(redirectParams(cached, client.redirect_uri).get("code")).toBeTruthy();
    expect(calls).toEqual([]);

    // Once the window has passed, each record is read from KV again, once.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + READ_CACHE_TTL_MS);
    calls.length = 0;
    const res = await browser.fetch((await authorizationRequest(client)).url);
    expect(res.status).toBe(302);
    expect(redirectParams(res, client.redirect_uri).get("code")).toBeTruthy();
    expect(calls.sort()).toEqual(["CLIENTS.get", "USERS.get", "USERS.get"]);
  });
});
