import { describe, expect, it } from "vitest";
import { TestBrowser } from "../helpers/browser";
import { answerAuthorization, pressStep, startDemo, visibleText, visit } from "../helpers/demo";
import { localDevelopment } from "../helpers/deployment";

/** What `npm run dev` serves (src/dev.ts): Gatehouse and the demo. */
const local = localDevelopment();

/** The status lines of the responses a page shows, in order. */
const statuses = (text: string) => [...text.matchAll(/HTTP (\d{3})$/gm)].map((m) => Number(m[1]));

describe("the local demo, clicked through over HTTP", () => {
  it("shows every step, from / to revocation, with real requests and responses", async () => {
    const browser = new TestBrowser(local);
    const started = await startDemo(browser);
    const { page: step1, authorizeUrl } = started;

    // Step 1: the authorization request, every parameter a real client sends.
    const params = authorizeUrl.searchParams;
    expect(authorizeUrl.origin + authorizeUrl.pathname).toBe("http://localhost/authorize");
    expect(params.get("response_type")).toBe("code");
    expect(params.get("redirect_uri")).toBe("http://localhost/demo/callback");
    expect(params.get("scope")).toBe("openid profile email offline_access");
    expect(params.get("code_challenge_method")).toBe("S256");
    for (const name of ["client_id", "state", "nonce", "code_challenge"]) {
      expect(params.get(name), name).toBeTruthy();
      expect(step1).toContain(`<code>${name}</code>`);
    }

    // Steps 2 and 3 are Gatehouse's real pages; then the callback exchanges the code.
    const callback = await answerAuthorization(browser, started, "allow");
    expect(callback.pathname).toBe("/demo/callback");
    expect(callback.searchParams.get("state")).toBe(params.get("state"));
    const exchanged = await visit(browser, callback);
    expect(exchanged.status).toBe(200);
    const text = visibleText(exchanged.page);
    expect(text).toContain(`POST http://localhost/token`);
    expect(text).toContain("Authorization: Basic …redacted…");
    expect(text).not.toMatch(/Basic (?!…redacted…)/);
    expect(text).toContain("grant_type=authorization_code");
    expect(text).toContain("code_verifier=");
    expect(statuses(text)).toEqual([200]);
    expect(text).toContain('"token_type": "Bearer"');
    // Step 6: both JWTs decoded, their claims explained, the ID token verified.
    for (const claim of ["iss", "sub", "aud", "exp", "iat", "scope", "client_id", "jti", "nonce", "auth_time"]) {
      expect(exchanged.page, claim).toContain(`<code>${claim}</code>`);
    }
    expect(text).toContain("ID token signature verified");
    expect(text).toContain("ID token nonce equals the one the demo sent");
    expect(text).not.toContain("✗");

    // Step 7: the API with the token, and without it.
    const api = await pressStep(browser, exchanged.page, "/demo/api");
    expect(api.status).toBe(200);
    const apiText = visibleText(api.page);
    expect(statuses(apiText)).toEqual([200, 401]);
    expect(apiText).toContain("GET http://localhost/api/me");
    expect(apiText).toMatch(/www-authenticate: Bearer .*resource_metadata=/);

    // Step 8: refresh rotates the refresh token.
    const refreshed = await pressStep(browser, api.page, "/demo/refresh");
    expect(refreshed.status).toBe(200);
    const refreshText = visibleText(refreshed.page);
    expect(refreshText).toContain("grant_type=refresh_token");
    expect(refreshText).toContain("A new refresh token replaced the old one");
    // The old token sent again at once (the retry grace): the same new token, not a third.
    expect(statuses(refreshText)).toEqual([200, 200]);
    const sent = [...refreshText.matchAll(/refresh_token=([\w.-]+)/g)].map((m) => m[1]);
    const received = [...refreshText.matchAll(/"refresh_token": "([\w.-]+)"/g)].map((m) => m[1]);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toBe(sent[0]);
    expect(received).toHaveLength(2);
    expect(received[1]).toBe(received[0]);
    expect(received[0]).not.toBe(sent[0]);

    // Step 9: revocation; then both refresh tokens are refused, introspection says inactive.
    const revoked = await pressStep(browser, refreshed.page, "/demo/revoke");
    expect(revoked.status).toBe(200);
    const revokeText = visibleText(revoked.page);
    expect(revokeText).toContain("POST http://localhost/revoke");
    expect(statuses(revokeText)).toEqual([200, 400, 400, 200, 200]);
    expect(revokeText.match(/"error": "invalid_grant"/g)).toHaveLength(2);
    expect(revokeText).toContain('"active": false');

    // The run is over: its buttons lead back to the start, and the old step is refused.
    expect((await pressStep(browser, revoked.page, "/demo/start")).status).toBe(200);
  });

  it("shows access_denied at the callback when the user denies, and exchanges nothing", async () => {
    const browser = new TestBrowser(local);
    const started = await startDemo(browser);
    const callback = await answerAuthorization(browser, started, "deny");
    expect(callback.searchParams.get("error")).toBe("access_denied");
    const denied = await visit(browser, callback);
    expect(denied.status).toBe(200);
    const text = visibleText(denied.page);
    expect(text).toContain("error=access_denied");
    expect(text).not.toContain("/token");
    // Nothing to go on with: the API step has no tokens.
    const api = await browser.submit(denied.page.replace('action="/demo/start"', 'action="/demo/api"'), {});
    expect(api.status).toBe(400);
    expect(visibleText(await api.text())).toContain("No tokens yet");
  });

  it("refuses a callback whose state or iss is not the request's, without using its code", async () => {
    const browser = new TestBrowser(local);
    const started = await startDemo(browser);
    const callback = await answerAuthorization(browser, started, "allow");

    const wrongState = new URL(callback);
    wrongState.searchParams.set("state", "attacker-state");
    const refusedState = await visit(browser, wrongState);
    expect(refusedState.status).toBe(403);
    expect(visibleText(refusedState.page)).toContain("The state does not match");
    expect(refusedState.page).not.toContain("/token");

    const wrongIssuer = new URL(callback);
    wrongIssuer.searchParams.set("iss", "https://evil.example");
    const refusedIssuer = await visit(browser, wrongIssuer);
    expect(refusedIssuer.status).toBe(403);
    expect(visibleText(refusedIssuer.page)).toContain("The issuer does not match");

    // The genuine answer still works: the refused ones consumed neither the state nor the code.
    const genuine = await visit(browser, callback);
    expect(genuine.status).toBe(200);
    expect(statuses(visibleText(genuine.page))).toEqual([200]);

    // Replayed, the same answer finds no pending request (the state is single-use).
    const replayed = await visit(browser, callback);
    expect(replayed.status).toBe(400);
    expect(visibleText(replayed.page)).toContain("No sign-in is waiting");
  });

  it("refuses a callback in a browser that never started the demo", async () => {
    const victim = new TestBrowser(local);
    const started = await startDemo(victim);
    const callback = await answerAuthorization(victim, started, "allow");
    // An attacker's code planted in another browser (login CSRF): no pending request there.
    const other = await visit(new TestBrowser(local), callback);
    expect(other.status).toBe(400);
    expect(other.page).not.toContain("/token");
  });

  it("refuses a step form without the browser's anti-CSRF token", async () => {
    const browser = new TestBrowser(local);
    const started = await startDemo(browser);
    const exchanged = await visit(browser, await answerAuthorization(browser, started, "allow"));
    expect(exchanged.status).toBe(200);
    // Another site's form: the browser sends the cookie (say) but the page cannot know the token.
    const forged = await browser.fetch("/demo/api", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrf: "forged" }),
    });
    expect(forged.status).toBe(403);
    const crossSite = await browser.submit(exchanged.page, {}, { "Sec-Fetch-Site": "cross-site" });
    expect(crossSite.status).toBe(403);
    // Without the cookie (SameSite=Lax keeps it off cross-site POSTs) the start is refused too.
    const start = await local("/demo/start", {
      method: "POST",
      body: new URLSearchParams({ csrf: "whatever" }),
    });
    expect(start.status).toBe(403);
  });
});

describe("the demo's language", () => {
  it("says English, the language it is written in, even to a German browser", async () => {
    const res = await local("/", { headers: { "Accept-Language": "de-DE,de;q=0.9" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Language")).toBe("en");
    expect(await res.text()).toContain('<html lang="en">');
  });
});
