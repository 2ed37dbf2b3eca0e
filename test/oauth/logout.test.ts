import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseForm, TestBrowser } from "../helpers/browser";
import { createClient, createUser, type TestClient } from "../helpers/fixtures";
import { forgerKey } from "../helpers/grants";
import { select } from "../helpers/html";
import { admin, ORIGIN, postForm, request } from "../helpers/http";
import { logoutUrl, signInForIdToken, silentAnswer } from "../helpers/logout";
import { createDocumentClient } from "../helpers/client-web-server";
import { register } from "../helpers/registration";
import { loggedSecurityEvents } from "../helpers/security-log";
import { signedToken } from "../helpers/signed-token";

afterEach(() => {
  vi.restoreAllMocks();
});

const RETURN_TO = "https://rp.example/signed-out";

function logoutClient(overrides: Record<string, unknown> = {}): Promise<TestClient> {
  return createClient({ post_logout_redirect_uris: [RETURN_TO], ...overrides });
}

/** A page, not a redirect: the answer to anything the end-session endpoint cannot trust. */
async function expectErrorPage(res: Response, error: string): Promise<void> {
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.headers.get("Location")).toBeNull();
  expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
  expect(await res.text()).toContain(`<code>${error}</code>`);
}

/** An ID token for `sub` signed with Gatehouse's ID token key, with `claims` changed. */
function idTokenFor(clientId: string, sub: string, claims: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return signedToken(env, {
    alg: "RS256",
    header: { typ: "JWT" },
    claims: {
      iss: ORIGIN, aud: clientId, sub, iat: now, exp: now + 300,
      client_id: undefined, scope: undefined, jti: undefined, ...claims,
    },
  });
}

describe("RP-initiated logout: the confirmation page (OIDC RP-Initiated Logout 1.0 §2)", () => {
  it("with no parameters asks the user, keeps the session until the form is sent, then signs out", async () => {
    const client = await logoutClient();
    const { browser } = await signInForIdToken(client, await createUser());

    const page = await browser.fetch(logoutUrl());
    expect(page.status).toBe(200);
    const csp = page.headers.get("Content-Security-Policy") ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers.get("X-Frame-Options")).toBe("DENY");
    const html = await page.text();
    expect(html).toContain("Sign out of Gatehouse?");
    const form = parseForm(html);
    expect(form.action).toBe("/logout");
    expect(form.hidden.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Showing the page ends nothing.
    expect(await silentAnswer(browser, client)).toBe("code");

    const done = await browser.submit(html, {});
    expect(done.status).toBe(200);
    expect(done.headers.get("Location")).toBeNull();
    expect(await done.text()).toContain("You are signed out");
    expect(browser.cookies.has("gatehouse-session")).toBe(false);
    expect(await silentAnswer(browser, client)).toBe("login_required");
  });

  it("refuses the form without the browser's CSRF cookie, or sent from another site; the session stays", async () => {
    const client = await logoutClient();
    const { browser } = await signInForIdToken(client, await createUser());
    const html = await (await browser.fetch(logoutUrl())).text();
    const { csrf } = parseForm(html).hidden;

    // Another site's page posting the form: the attacker knows no token, nor the cookie.
    const forged = await browser.fetch("/logout", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrf: "A".repeat(43) }),
    });
    await expectErrorPage(forged, "access_denied");
    expect(forged.status).toBe(403);
    // The right token, but the browser says the POST came from another site.
    const crossSite = await browser.submit(html, {}, { "Sec-Fetch-Site": "cross-site" });
    expect(crossSite.status).toBe(403);
    // The token alone, without the cookie (a request that is not the browser's).
    const sessionCookie = browser.cookies.get("gatehouse-session") as string;
    const noCookie = await postForm("/logout", { csrf: csrf as string }, {
      Cookie: `gatehouse-session=${sessionCookie}`,
    });
    expect(noCookie.status).toBe(403);
    expect(await silentAnswer(browser, client)).toBe("code");
  });

  it("carries client_id, post_logout_redirect_uri and state through the form, and redirects (303) after it", async () => {
    const client = await logoutClient();
    const { browser } = await signInForIdToken(client, await createUser());
    const page = await browser.fetch(
      logoutUrl({ client_id: client.client_id, post_logout_redirect_uri: RETURN_TO, state: "s-1" }),
    );
    expect(page.status).toBe(200);
    // Chromium applies form-action to the redirect after the POST: the client's origin is allowed.
    expect(page.headers.get("Content-Security-Policy")).toContain("form-action 'self' https://rp.example");
    const html = await page.text();
    expect(html).toContain(client.metadata.client_name as string);
    const done = await browser.submit(html, {});
    expect(done.status).toBe(303);
    expect(done.headers.get("Location")).toBe(`${RETURN_TO}?state=s-1`);
    expect(await silentAnswer(browser, client)).toBe("login_required");
  });

  it("asks when the id_token_hint names another user than the one signed in", async () => {
    const client = await logoutClient();
    const { idToken } = await signInForIdToken(client, await createUser());
    const { browser } = await signInForIdToken(client, await createUser());
    const res = await browser.fetch(
      logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: RETURN_TO }),
    );
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Sign out of Gatehouse?");
    // The ID token is not written into the page.
    expect(html).not.toContain(idToken);
    expect(await silentAnswer(browser, client)).toBe("code");
  });
});

describe("RP-initiated logout with a valid id_token_hint (§2)", () => {
  it("ends the session at once and redirects (302) to the registered URI with state", async () => {
    const client = await logoutClient();
    const { browser, idToken } = await signInForIdToken(client, await createUser());
    const res = await browser.fetch(
      logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: RETURN_TO, state: "xyz 1/2" }),
    );
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`${RETURN_TO}?state=xyz+1%2F2`);
    expect(res.headers.getSetCookie().some((c) => /^gatehouse-session=;.*Max-Age=0/i.test(c))).toBe(true);
    expect(await silentAnswer(browser, client)).toBe("login_required");
  });

  it("logs a security event naming the user and the client, never the token", async () => {
    const client = await logoutClient();
    const user = await createUser();
    const { browser, idToken } = await signInForIdToken(client, user);
    const log = vi.spyOn(console, "log");
    await browser.fetch(logoutUrl({ id_token_hint: idToken }));
    const events = loggedSecurityEvents(log).filter((e) => e.type === "logout");
    expect(events).toEqual([
      expect.objectContaining({ sub: user.sub, client_id: client.client_id, confirmed: false }),
    ]);
    expect(JSON.stringify(events)).not.toContain(idToken);
  });

  it("by POST (a form the RP submits) answers 303", async () => {
    const client = await logoutClient();
    const { browser, idToken } = await signInForIdToken(client, await createUser());
    const res = await browser.fetch("/logout", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        id_token_hint: idToken,
        client_id: client.client_id,
        post_logout_redirect_uri: RETURN_TO,
        ui_locales: "fr",
      }),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(RETURN_TO);
    expect(await silentAnswer(browser, client)).toBe("login_required");
  });

  it("accepts an expired ID token (§2: the RP's session may have outlived it)", async () => {
    const client = await logoutClient();
    const user = await createUser();
    const { browser } = await signInForIdToken(client, user);
    const past = Math.floor(Date.now() / 1000) - 7200;
    const expired = await idTokenFor(client.client_id, user.sub, { iat: past, exp: past + 300 });
    const res = await browser.fetch(logoutUrl({ id_token_hint: expired, post_logout_redirect_uri: RETURN_TO }));
    expect(res.status).toBe(302);
    expect(await silentAnswer(browser, client)).toBe("login_required");
  });

  it("without a post_logout_redirect_uri shows the signed-out page", async () => {
    const client = await logoutClient();
    const { browser, idToken } = await signInForIdToken(client, await createUser());
    const res = await browser.fetch(logoutUrl({ id_token_hint: idToken }));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("You are signed out");
    expect(await silentAnswer(browser, client)).toBe("login_required");
  });
});

describe("RP-initiated logout refuses what it cannot trust, with a page, never a redirect", () => {
  it("a post_logout_redirect_uri the client did not register, exactly (§3.1)", async () => {
    const client = await logoutClient();
    const { browser, idToken } = await signInForIdToken(client, await createUser());
    for (const uri of [
      "https://attacker.example/",
      `${RETURN_TO}/`,
      `${RETURN_TO}?x=1`,
      "HTTPS://rp.example/signed-out",
      client.redirect_uri, // a redirect URI is not a post-logout one
    ]) {
      const res = await browser.fetch(logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: uri }));
      await expectErrorPage(res, "invalid_redirect_uri");
    }
    expect(await silentAnswer(browser, client)).toBe("code");
  });

  it("a post_logout_redirect_uri with no client identified", async () => {
    const { browser } = await signInForIdToken(await logoutClient(), await createUser());
    await expectErrorPage(await browser.fetch(logoutUrl({ post_logout_redirect_uri: RETURN_TO })), "invalid_request");
  });

  it("an unknown client_id, and a client_id the id_token_hint was not issued to", async () => {
    const client = await logoutClient();
    const other = await logoutClient();
    const { browser, idToken } = await signInForIdToken(client, await createUser());
    await expectErrorPage(
      await browser.fetch(logoutUrl({ client_id: "no-such-client", post_logout_redirect_uri: RETURN_TO })),
      "invalid_client",
    );
    await expectErrorPage(
      await browser.fetch(
        logoutUrl({ id_token_hint: idToken, client_id: other.client_id, post_logout_redirect_uri: RETURN_TO }),
      ),
      "invalid_request",
    );
    expect(await silentAnswer(browser, client)).toBe("code");
  });

  it("an id_token_hint that Gatehouse did not sign, or not for this issuer", async () => {
    const client = await logoutClient();
    const user = await createUser();
    const { browser } = await signInForIdToken(client, user);
    const forged = await signedToken(env, {
      key: await forgerKey("whatever"),
      header: { typ: "JWT" },
      claims: { aud: client.client_id, sub: user.sub },
    });
    const otherIssuer = await idTokenFor(client.client_id, user.sub, { iss: "https://other.example" });
    for (const hint of [forged, otherIssuer, "not-a-jwt"]) {
      const res = await browser.fetch(logoutUrl({ id_token_hint: hint, post_logout_redirect_uri: RETURN_TO }));
      await expectErrorPage(res, "invalid_request");
    }
    expect(await silentAnswer(browser, client)).toBe("code");
  });

  it("an access token as id_token_hint, even one signed with the ID token key (OIDC Core §2, RFC 9068 §2.1)", async () => {
    const client = await logoutClient();
    const user = await createUser();
    const { browser } = await signInForIdToken(client, user);
    const now = Math.floor(Date.now() / 1000);
    const claims = { aud: client.client_id, sub: user.sub, iat: now, exp: now + 300 };
    // An access token signed with the ID token's RS256 key (ACCESS_TOKEN_ALG=RS256): typ at+jwt.
    const rs256AccessToken = await signedToken(env, { alg: "RS256", claims });
    // The default access token: ES256, not the ID token's alg.
    const es256AccessToken = await signedToken(env, { alg: "ES256", header: { typ: "JWT" }, claims });
    for (const hint of [rs256AccessToken, es256AccessToken]) {
      const res = await browser.fetch(logoutUrl({ id_token_hint: hint, post_logout_redirect_uri: RETURN_TO }));
      await expectErrorPage(res, "invalid_request");
    }
    expect(await silentAnswer(browser, client)).toBe("code");
    // The same claims as an ID token (typ JWT, RS256) sign the user out: only typ and alg differ.
    const idToken = await signedToken(env, { alg: "RS256", header: { typ: "JWT" }, claims });
    const res = await browser.fetch(logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: RETURN_TO }));
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(RETURN_TO);
  });

  it("answers other methods with 405", async () => {
    const res = await request("/logout", { method: "PUT" });
    expect(res.status).toBe(405);
    expect(res.headers.get("Allow")).toBe("GET, POST");
  });

  it("without a session, there is nothing to confirm: a registered URI is followed", async () => {
    const client = await logoutClient();
    const res = await new TestBrowser().fetch(
      logoutUrl({ client_id: client.client_id, post_logout_redirect_uri: RETURN_TO, state: "s" }),
    );
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`${RETURN_TO}?state=s`);
  });
});

describe("logout client metadata (RP-Initiated Logout §3.1, Back-Channel Logout §2.2)", () => {
  it("is stored and returned by the admin API", async () => {
    const client = await createClient({
      post_logout_redirect_uris: [RETURN_TO, "http://127.0.0.1:8080/bye"],
      backchannel_logout_uri: "https://rp.example/backchannel",
      backchannel_logout_session_required: true,
    });
    expect(client.metadata).toMatchObject({
      post_logout_redirect_uris: [RETURN_TO, "http://127.0.0.1:8080/bye"],
      backchannel_logout_uri: "https://rp.example/backchannel",
      backchannel_logout_session_required: true,
    });
  });

  it("is accepted by dynamic registration (RFC 7591) and in client ID metadata documents", async () => {
    const res = await register({
      redirect_uris: ["https://self.example/cb"],
      token_endpoint_auth_method: "none",
      post_logout_redirect_uris: ["https://self.example/bye"],
      backchannel_logout_uri: "https://self.example/backchannel",
    });
    expect(res.status).toBe(201);
    const registered = await res.json<{ client_id: string }>();
    expect(registered).toMatchObject({
      post_logout_redirect_uris: ["https://self.example/bye"],
      backchannel_logout_uri: "https://self.example/backchannel",
    });
    const bad = await register({
      redirect_uris: ["https://self.example/cb"],
      post_logout_redirect_uris: ["http://self.example/bye"],
    });
    expect(bad.status).toBe(400);

    // Both kinds of client are found by /logout, with their own registered URIs only.
    const document = await createDocumentClient({ post_logout_redirect_uris: ["https://app.example.org/bye"] });
    for (const [clientId, uri] of [
      [registered.client_id, "https://self.example/bye"],
      [document.client_id, "https://app.example.org/bye"],
    ] as const) {
      const ok = await request(logoutUrl({ client_id: clientId, post_logout_redirect_uri: uri, state: "z" }));
      expect(ok.status, `${clientId}: ${ok.status === 302 ? "" : await ok.clone().text()}`).toBe(302);
      expect(ok.headers.get("Location")).toBe(`${uri}?state=z`);
      await expectErrorPage(
        await request(logoutUrl({ client_id: clientId, post_logout_redirect_uri: RETURN_TO })),
        "invalid_redirect_uri",
      );
    }
  });

  it("refuses post-logout URIs and back-channel URIs that would not be safe to use", async () => {
    const base = { redirect_uris: ["https://rp.example/cb"], token_endpoint_auth_method: "none" };
    for (const bad of [
      { post_logout_redirect_uris: ["http://rp.example/bye"] },
      { post_logout_redirect_uris: ["https://rp.example/bye#x"] },
      { post_logout_redirect_uris: "https://rp.example/bye" },
      { backchannel_logout_uri: "http://rp.example/bc" },
      { backchannel_logout_uri: "https://rp.example/bc#frag" },
      { backchannel_logout_uri: "com.example.app:/bc" },
      { backchannel_logout_session_required: "yes" },
    ]) {
      const res = await admin("POST", "/clients", { ...base, ...bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      const body = await res.json<{ error: string }>();
      expect(["invalid_client_metadata", "invalid_redirect_uri"]).toContain(body.error);
    }
  });

  it("the metadata document advertises the end-session endpoint and back-channel logout", async () => {
    const meta = await (await request("/.well-known/openid-configuration")).json<Record<string, unknown>>();
    expect(meta.end_session_endpoint).toBe(`${ORIGIN}/logout`);
    expect(meta.backchannel_logout_supported).toBe(true);
    // Logout tokens carry the session's sid (OIDC Back-Channel Logout 1.0 §2.4).
    expect(meta.backchannel_logout_session_supported).toBe(true);
    const page = await new TestBrowser().fetch(new URL(meta.end_session_endpoint as string).pathname);
    expect(page.status).toBe(200);
    expect((await select(await page.text(), "h1"))[0]?.text).toContain("You are signed out");
  });
});
