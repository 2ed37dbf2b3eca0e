import { describe, expect, it } from "vitest";
import { admin, ORIGIN, postForm, request } from "../helpers/http";
import { expectTokens } from "../helpers/codes";
import { deployment } from "../helpers/deployment";
import {
  basicAuthorization,
  type ClientInformation,
  createClient,
  createUser,
  type TestClient,
} from "../helpers/fixtures";
import {
  authorizationRequest,
  authorizeWithLogin,
  redirectParams,
  signedInBrowser,
  TestBrowser,
} from "../helpers/browser";

/** Expects an HTML error page: never a redirect (RFC 6749 §4.1.2.1). */
async function expectErrorPage(res: Response, error: string) {
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(res.headers.get("Location")).toBeNull();
  expect(res.headers.get("Content-Type")).toMatch(/text\/html/);
  expect(await res.text()).toContain(error);
}

/** Expects an error redirect to the client with state and iss (RFC 6749 §4.1.2.1, RFC 9207). */
function expectErrorRedirect(res: Response, redirectUri: string, error: string, state?: string) {
  expect([302, 303]).toContain(res.status);
  const params = redirectParams(res, redirectUri);
  expect(params.get("error")).toBe(error);
  expect(params.get("error_description")).toBeTruthy();
  expect(params.get("iss")).toBe(ORIGIN);
  expect(params.get("code")).toBeNull();
  if (state !== undefined) expect(params.get("state")).toBe(state);
  return params;
}

describe("authorization endpoint: client and redirect URI come first", () => {
  it("shows an error page for an unknown client, even with a redirect URI", async () => {
    const res = await request(
      "/authorize?response_type=code&client_id=nope&redirect_uri=https%3A%2F%2Fevil.example%2Fcb&state=s",
    );
    await expectErrorPage(res, "invalid_client");
  });

  it("shows an error page when client_id is missing", async () => {
    await expectErrorPage(await request("/authorize?response_type=code"), "invalid_request");
  });

  it("never redirects to an unregistered redirect URI", async () => {
    const client = await createClient();
    for (const evil of [
      "https://evil.example/cb",
      "https://rp.example/cb/",
      "https://rp.example/cb?x=1",
      "https://rp.example.evil.example/cb",
    ]) {
      const { url } = await authorizationRequest(client, { redirectUri: evil });
      await expectErrorPage(await request(url), "invalid_request");
    }
  });

  it("shows an error page when client_id or redirect_uri is repeated", async () => {
    const client = await createClient();
    const { url } = await authorizationRequest(client);
    await expectErrorPage(await request(`${url}&client_id=${client.client_id}`), "repeated");
    await expectErrorPage(
      await request(`${url}&redirect_uri=${encodeURIComponent(client.redirect_uri)}`),
      "repeated",
    );
  });

  it("requires redirect_uri when the client registered several", async () => {
    const client = await createClient({ redirect_uris: ["https://rp.example/a", "https://rp.example/b"] });
    const { url } = await authorizationRequest(client);
    const without = url.replace(/&redirect_uri=[^&]*/, "");
    await expectErrorPage(await request(without), "redirect_uri");
  });

  it("uses the only registered redirect URI when none is sent", async () => {
    const client = await createClient();
    const { url } = await authorizationRequest(client);
    const res = await request(url.replace(/&redirect_uri=[^&]*/, ""));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('name="password"');
  });

  it("accepts any port on a registered loopback redirect URI (RFC 8252 §7.3)", async () => {
    const client = await createClient({ redirect_uris: ["http://127.0.0.1/cb"] });
    const user = await createUser();
    const { params } = await authorizeWithLogin(client, user, {
      redirectUri: "http://127.0.0.1:49152/cb",
    });
    expect(params.get("code")).toBeTruthy();
  });
});

// RFC 9700 §4.11.2: these errors reach the client once the user is signed in (a session here;
// the login page first otherwise, see "errors wait for the user to sign in" below).
describe("authorization endpoint: later errors redirect with error, state and iss", () => {
  it("refuses a missing response_type", async () => {
    const client = await createClient();
    const { browser } = await signedInBrowser();
    const { url, state } = await authorizationRequest(client);
    const res = await browser.fetch(url.replace("response_type=code&", ""));
    expectErrorRedirect(res, client.redirect_uri, "invalid_request", state);
  });

  it("refuses response_type=token", async () => {
    const client = await createClient();
    const { browser } = await signedInBrowser();
    const { url, state } = await authorizationRequest(client);
    const res = await browser.fetch(url.replace("response_type=code", "response_type=token"));
    expectErrorRedirect(res, client.redirect_uri, "unsupported_response_type", state);
  });

  it("requires a PKCE challenge from every client", async () => {
    const client = await createClient();
    const { browser } = await signedInBrowser();
    const { url, state } = await authorizationRequest(client);
    const res = await browser.fetch(url.replace(/&code_challenge=[^&]*/, ""));
    expectErrorRedirect(res, client.redirect_uri, "invalid_request", state);
  });

  it("refuses the plain PKCE method, and an absent method (which means plain)", async () => {
    const client = await createClient();
    const { browser } = await signedInBrowser();
    const { url, state } = await authorizationRequest(client);
    expectErrorRedirect(
      await browser.fetch(url.replace("code_challenge_method=S256", "code_challenge_method=plain")),
      client.redirect_uri,
      "invalid_request",
      state,
    );
    expectErrorRedirect(
      await browser.fetch(url.replace("&code_challenge_method=S256", "")),
      client.redirect_uri,
      "invalid_request",
      state,
    );
  });

  it("refuses a challenge that is not an S256 value", async () => {
    const client = await createClient();
    const { browser } = await signedInBrowser();
    const { url, state } = await authorizationRequest(client);
    const res = await browser.fetch(url.replace(/code_challenge=[^&]*/, "code_challenge=short"));
    expectErrorRedirect(res, client.redirect_uri, "invalid_request", state);
  });

  it("refuses a scope the client may not ask for", async () => {
    const client = await createClient({ scope: "openid profile" });
    const { browser } = await signedInBrowser();
    const { url, state } = await authorizationRequest(client, { scope: "openid email" });
    expectErrorRedirect(await browser.fetch(url), client.redirect_uri, "invalid_scope", state);
  });

  it("refuses any other repeated parameter with a redirect", async () => {
    const client = await createClient();
    const { browser } = await signedInBrowser();
    const { url, state } = await authorizationRequest(client);
    expectErrorRedirect(
      await browser.fetch(`${url}&scope=openid`),
      client.redirect_uri,
      "invalid_request",
      state,
    );
  });

  it("refuses a resource this deployment does not serve (RFC 8707)", async () => {
    const client = await createClient();
    const { browser } = await signedInBrowser();
    const { url, state } = await authorizationRequest(client, {
      extra: { resource: "https://api.elsewhere.example/" },
    });
    expectErrorRedirect(await browser.fetch(url), client.redirect_uri, "invalid_target", state);
  });

  it("keeps the query of a registered redirect URI and appends to it", async () => {
    const client = await createClient({ redirect_uris: ["https://rp.example/cb?tenant=a"] });
    const { browser } = await signedInBrowser();
    const { url, state } = await authorizationRequest(client);
    const res = await browser.fetch(url.replace("response_type=code", "response_type=token"));
    const location = new URL(res.headers.get("Location") as string);
    expect(location.searchParams.get("tenant")).toBe("a");
    expect(location.searchParams.get("state")).toBe(state);
  });
});

describe("authorization endpoint: the registered redirect URI's query is kept byte for byte (RFC 6749 §3.1.2)", () => {
  const registered = "https://rp.example/cb?tenant=a%20b&flag&x=1+2";

  it("in a redirect with a code", async () => {
    const client = await createClient({ redirect_uris: [registered] });
    const { browser } = await signedInBrowser();
    const { url } = await authorizationRequest(client);
    const consent = await browser.fetch(url);
    const res = await browser.submit(await consent.text(), { decision: "allow" });
    expect((res.headers.get("Location") as string).startsWith(`${registered}&code=`)).toBe(true);
  });

  it("in an error redirect", async () => {
    const client = await createClient({ redirect_uris: [registered] });
    const { browser } = await signedInBrowser();
    const { url } = await authorizationRequest(client);
    const res = await browser.fetch(url.replace("response_type=code", "response_type=token"));
    expect((res.headers.get("Location") as string).startsWith(`${registered}&error=`)).toBe(true);
  });
});

describe("authorization endpoint: login, consent and the code", () => {
  it("returns code, state byte for byte and iss after login and consent", async () => {
    const client = await createClient();
    const user = await createUser();
    const state = "a b+c/é&x=1%20?#";
    const { params } = await authorizeWithLogin(client, user, { state });
    expect(params.get("state")).toBe(state);
    expect(params.get("iss")).toBe(ORIGIN);
    expect((params.get("code") as string).length).toBeGreaterThanOrEqual(22);
  });

  it("serves pages that cannot be framed and send no referrer", async () => {
    const client = await createClient();
    const { url } = await authorizationRequest(client);
    const res = await request(url);
    const csp = res.headers.get("Content-Security-Policy") ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get("X-Frame-Options")).toBe("DENY");
    expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
    const page = await res.text();
    expect(page).toMatch(/<input[^>]*name="username"/);
    expect(page).toMatch(/<input[^>]*type="password"[^>]*name="password"|<input[^>]*name="password"[^>]*type="password"/);
  });

  it("refuses a wrong password without starting a session", async () => {
    const client = await createClient();
    const user = await createUser();
    const browser = new TestBrowser();
    const { url } = await authorizationRequest(client);
    const page = await (await browser.fetch(url)).text();
    const res = await browser.submit(page, { username: user.username, password: "wrong password" });
    expect(res.status).toBe(400);
    expect(res.headers.get("Location")).toBeNull();
    expect(await res.text()).toMatch(/Invalid username or password/);
    expect([...browser.cookies.keys()].some((k) => k.includes("session"))).toBe(false);
  });

  it("sets an HttpOnly, SameSite=Lax session cookie (not Secure on plain-http localhost)", async () => {
    const client = await createClient();
    const user = await createUser();
    const browser = new TestBrowser();
    const { url } = await authorizationRequest(client);
    const page = await (await browser.fetch(url)).text();
    const res = await browser.submit(page, { username: user.username, password: user.password });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("gatehouse-session="));
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i);
  });

  it("skips login and consent for a returning user who already consented", async () => {
    const client = await createClient();
    const user = await createUser();
    const { browser } = await authorizeWithLogin(client, user);
    const { url, state } = await authorizationRequest(client);
    const res = await browser.fetch(url);
    expect(res.status).toBe(302);
    const params = redirectParams(res, client.redirect_uri);
    expect(params.get("code")).toBeTruthy();
    expect(params.get("state")).toBe(state);
  });

  it("asks again for consent when more scopes are requested than were allowed", async () => {
    const client = await createClient();
    const user = await createUser();
    const { browser } = await authorizeWithLogin(client, user, { scope: "openid" });
    const { url } = await authorizationRequest(client, { scope: "openid email" });
    const res = await browser.fetch(url);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain("Allow");
    expect(page).toContain("Deny");
  });

  it("answers with 303 after a form POST to the authorization endpoint", async () => {
    const client = await createClient();
    const user = await createUser();
    const { browser } = await authorizeWithLogin(client, user);
    const { url } = await authorizationRequest(client);
    const res = await browser.fetch("/authorize", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: url.slice("/authorize?".length),
    });
    expect(res.status).toBe(303);
    expect(redirectParams(res, client.redirect_uri).get("code")).toBeTruthy();
  });

  it("returns access_denied when the user clicks Deny", async () => {
    const client = await createClient();
    const user = await createUser();
    const browser = new TestBrowser();
    const { url, state } = await authorizationRequest(client);
    const login = await (await browser.fetch(url)).text();
    const consent = await browser.submit(login, { username: user.username, password: user.password });
    const res = await browser.submit(await consent.text(), { decision: "deny" });
    expect(res.status).toBe(303);
    expectErrorRedirect(res, client.redirect_uri, "access_denied", state);
  });

  it("prompt=none without a session answers login_required", async () => {
    const client = await createClient();
    const { url, state } = await authorizationRequest(client, { extra: { prompt: "none" } });
    expectErrorRedirect(await request(url), client.redirect_uri, "login_required", state);
  });

  it("prompt=none without a remembered consent answers consent_required", async () => {
    const client = await createClient();
    const other = await createClient();
    const user = await createUser();
    const { browser } = await authorizeWithLogin(other, user);
    const { url, state } = await authorizationRequest(client, { extra: { prompt: "none" } });
    expectErrorRedirect(await browser.fetch(url), client.redirect_uri, "consent_required", state);
  });

  it("prompt=login shows the login page despite a session", async () => {
    const client = await createClient();
    const user = await createUser();
    const { browser } = await authorizeWithLogin(client, user);
    const { url } = await authorizationRequest(client, { extra: { prompt: "login" } });
    const res = await browser.fetch(url);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('name="password"');
    // After signing in again, the remembered consent applies: straight back to the client.
    const after = await browser.submit(page, { username: user.username, password: user.password });
    expect(after.status).toBe(303);
    expect(redirectParams(after, client.redirect_uri).get("code")).toBeTruthy();
  });

  it("max_age=0 requires a fresh login", async () => {
    const client = await createClient();
    const user = await createUser();
    const { browser } = await authorizeWithLogin(client, user);
    const { url } = await authorizationRequest(client, { extra: { max_age: "0" } });
    const res = await browser.fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('name="password"');
  });

  it("a max_age the session satisfies needs no new login", async () => {
    const client = await createClient();
    const user = await createUser();
    const { browser } = await authorizeWithLogin(client, user);
    const { url } = await authorizationRequest(client, { extra: { max_age: "3600" } });
    const res = await browser.fetch(url);
    expect(res.status).toBe(302);
    expect(redirectParams(res, client.redirect_uri).get("code")).toBeTruthy();
  });

  it("prompt=none with a session and a remembered consent returns a code silently", async () => {
    const client = await createClient();
    const user = await createUser();
    const { browser } = await authorizeWithLogin(client, user);
    const { url, state } = await authorizationRequest(client, { extra: { prompt: "none" } });
    const res = await browser.fetch(url);
    expect(res.status).toBe(302);
    const params = redirectParams(res, client.redirect_uri);
    expect(params.get("code")).toBeTruthy();
    expect(params.get("state")).toBe(state);
  });

  it("prompt=consent shows the consent page despite a remembered consent", async () => {
    const client = await createClient();
    const user = await createUser();
    const { browser } = await authorizeWithLogin(client, user);
    const { url } = await authorizationRequest(client, { extra: { prompt: "consent" } });
    const res = await browser.fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Deny");
  });

  it("a deleted user's session no longer authorizes", async () => {
    const client = await createClient();
    const user = await createUser();
    const { browser } = await authorizeWithLogin(client, user);
    expect((await admin("DELETE", `/users/${user.sub}`)).status).toBe(204);
    const { url } = await authorizationRequest(client);
    const res = await browser.fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('name="password"');
  });

  it("a deleted client can no longer authorize", async () => {
    const client = await createClient();
    expect((await admin("DELETE", `/clients/${client.client_id}`)).status).toBe(204);
    const { url } = await authorizationRequest(client);
    await expectErrorPage(await request(url), "invalid_client");
  });

  it("a tampered session cookie counts as no session", async () => {
    const client = await createClient();
    const user = await createUser();
    const { browser } = await authorizeWithLogin(client, user);
    const value = browser.cookies.get("gatehouse-session") as string;
    browser.cookies.set("gatehouse-session", `${value.slice(0, -4)}AAAA`);
    const { url } = await authorizationRequest(client);
    const res = await browser.fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('name="password"');
  });
});

describe("authorization endpoint: what it sends back", () => {
  it("keeps error_description within RFC 6749's character set and reflects no input", async () => {
    const client = await createClient();
    const { browser } = await signedInBrowser();
    const { url, state } = await authorizationRequest(client, {
      extra: { prompt: "\u202eevil\r\n\"quoted\\" },
    });
    const params = expectErrorRedirect(await browser.fetch(url), client.redirect_uri, "invalid_request", state);
    const description = params.get("error_description") as string;
    expect(description).toMatch(/^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/);
    expect(description).not.toContain("evil");
  });

  it("refuses an overlong state with an error page rather than echoing it", async () => {
    const client = await createClient();
    const { url } = await authorizationRequest(client, { state: "s".repeat(5000) });
    await expectErrorPage(await request(url), "invalid_request");
  });

  it("refuses an overlong nonce", async () => {
    const client = await createClient();
    const { browser } = await signedInBrowser();
    const { url, state } = await authorizationRequest(client, { nonce: "n".repeat(600) });
    expectErrorRedirect(await browser.fetch(url), client.redirect_uri, "invalid_request", state);
  });
});

describe("authorization endpoint: methods", () => {
  it("answers other methods with 405 and Allow", async () => {
    const res = await request("/authorize", { method: "PUT" });
    expect(res.status).toBe(405);
    expect(res.headers.get("Allow")).toBe("GET, POST");
  });
});

describe("authorization endpoint: id_token_hint (OIDC Core §3.1.2.1)", () => {
  async function signedInWithTokens(client: Awaited<ReturnType<typeof createClient>>) {
    const user = await createUser();
    const { code, verifier, browser } = await authorizeWithLogin(client, user, { scope: "openid" });
    const tokens = await expectTokens(
      await postForm(
        "/token",
        { grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: client.redirect_uri },
        { Authorization: basicAuthorization(client.client_id, client.client_secret as string) },
      ),
    );
    return { browser, tokens };
  }

  it("answers prompt=none silently when the hint names the signed-in user", async () => {
    const client = await createClient();
    const { browser, tokens } = await signedInWithTokens(client);
    const { url } = await authorizationRequest(client, {
      scope: "openid",
      extra: { prompt: "none", id_token_hint: tokens.id_token as string },
    });
    const res = await browser.fetch(url);
    expect(redirectParams(res, client.redirect_uri).get("code")).toBeTruthy();
  });

  it("answers login_required when the hint names someone else", async () => {
    const client = await createClient();
    const { browser } = await signedInWithTokens(client);
    const other = await signedInWithTokens(client);
    const { url, state } = await authorizationRequest(client, {
      scope: "openid",
      extra: { prompt: "none", id_token_hint: other.tokens.id_token as string },
    });
    expectErrorRedirect(await browser.fetch(url), client.redirect_uri, "login_required", state);
  });

  it("refuses a hint that is not an ID token Gatehouse issued to this client", async () => {
    const client = await createClient();
    const { browser, tokens } = await signedInWithTokens(client);
    const otherClient = await createClient();
    for (const [target, hint] of [
      [client, "not.a.jwt"],
      [client, tokens.access_token],
      [otherClient, tokens.id_token as string],
    ] as const) {
      const { url, state } = await authorizationRequest(target, { extra: { id_token_hint: hint } });
      expectErrorRedirect(await browser.fetch(url), target.redirect_uri, "invalid_request", state);
    }
  });
});

/** A client that registered itself (RFC 7591) on a deployment with REGISTRATION=open. */
async function selfRegisteredClient(
  send: (path: string, init?: RequestInit) => Promise<Response>,
): Promise<TestClient> {
  const res = await send("/register", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ client_name: "Self-registered", redirect_uris: ["https://self.example/cb"] }),
  });
  expect(res.status).toBe(201);
  const metadata = (await res.json()) as ClientInformation;
  return { client_id: metadata.client_id, redirect_uri: "https://self.example/cb", metadata };
}

describe("authorization endpoint: errors wait for the user to sign in (RFC 9700 §4.11.2)", () => {
  const invalid: ReadonlyArray<[string, (url: string) => string, string]> = [
    ["response_type=token", (u) => u.replace("response_type=code", "response_type=token"), "unsupported_response_type"],
    ["no PKCE challenge", (u) => u.replace(/&code_challenge=[^&]*/, ""), "invalid_request"],
    ["a scope the client may not ask for", (u) => u.replace(/scope=[^&]*/, "scope=openid+admin"), "invalid_scope"],
    ["a resource not served", (u) => `${u}&resource=${encodeURIComponent("https://api.elsewhere.example/")}`, "invalid_target"],
    ["an unknown prompt", (u) => `${u}&prompt=bogus`, "invalid_request"],
  ];

  it("an invalid request from someone not signed in shows the login page, not a redirect", async () => {
    const client = await createClient();
    for (const [what, spoil] of invalid) {
      const { url } = await authorizationRequest(client);
      const res = await request(spoil(url));
      expect(res.status, what).toBe(200);
      expect(res.headers.get("Location"), what).toBeNull();
      expect(await res.text(), what).toContain('name="password"');
    }
  });

  it("signing in on that page sends the error to the client, with the new session", async () => {
    const client = await createClient();
    const user = await createUser();
    for (const [what, spoil, error] of invalid) {
      const browser = new TestBrowser();
      const { url, state } = await authorizationRequest(client);
      const page = await (await browser.fetch(spoil(url))).text();
      const res = await browser.submit(page, { username: user.username, password: user.password });
      expect(res.status, what).toBe(303);
      expectErrorRedirect(res, client.redirect_uri, error, state);
      // The error redirect carries the session the sign-in started (one way to answer).
      expect(res.headers.getSetCookie().some((c) => c.startsWith("gatehouse-session=")), what).toBe(true);
    }
  });

  it("a wrong password on that page sends nothing to the client", async () => {
    const client = await createClient();
    const user = await createUser();
    const browser = new TestBrowser();
    const { url } = await authorizationRequest(client);
    const page = await (await browser.fetch(url.replace("response_type=code", "response_type=token"))).text();
    const res = await browser.submit(page, { username: user.username, password: "not the password" });
    expect(res.status).toBe(400);
    expect(res.headers.get("Location")).toBeNull();
  });

  it("with prompt=none, an operator's client hears the error at once (OIDC Core §3.1.2.6)", async () => {
    const client = await createClient();
    const { url, state } = await authorizationRequest(client, { extra: { prompt: "none" } });
    const res = await request(url.replace(/&code_challenge=[^&]*/, ""));
    expectErrorRedirect(res, client.redirect_uri, "invalid_request", state);
  });

  it("a self-registered client is never redirected to for someone not signed in, even with prompt=none", async () => {
    const send = deployment({ REGISTRATION: "open" });
    const client = await selfRegisteredClient(send);
    const { url } = await authorizationRequest(client, { extra: { prompt: "none" } });
    for (const attempt of [url, url.replace("response_type=code", "response_type=token")]) {
      const res = await send(attempt);
      expect(res.headers.get("Location")).toBeNull();
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.headers.get("Content-Type")).toMatch(/text\/html/);
    }
    // Without prompt=none, the invalid request shows the login page, as for any client.
    const plain = await send(url.replace("&prompt=none", "").replace("response_type=code", "response_type=token"));
    expect(plain.status).toBe(200);
    expect(await plain.text()).toContain('name="password"');
  });

  it("a self-registered client hears prompt=none errors once the user is signed in", async () => {
    const send = deployment({ REGISTRATION: "open" });
    const client = await selfRegisteredClient(send);
    const user = await createUser();
    const browser = new TestBrowser(send);
    await authorizeWithLogin(await createClient(), user, {}, browser);
    const { url, state } = await authorizationRequest(client, { extra: { prompt: "none" } });
    const res = await browser.fetch(url);
    expect(res.status).toBe(302);
    const params = redirectParams(res, client.redirect_uri);
    expect(params.get("error")).toBe("consent_required");
    expect(params.get("state")).toBe(state);
    // Asked interactively, the consent page says that nobody vouches for the client.
    const consent = await browser.fetch(url.replace("&prompt=none", ""));
    expect(consent.status).toBe(200);
    expect(await consent.text()).toContain("registered itself");
  });
});
