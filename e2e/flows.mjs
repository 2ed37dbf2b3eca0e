// The browser tests: each gets a fresh browser context (no cookies) and a page, plus the running
// Gatehouse (`base`), the admin API, the stand-in client application (`rp`), a registered
// confidential client and `newUser()`. Consent is remembered per user and client on the server,
// so a test that needs the consent page signs in as a user of its own.
import assert from "node:assert/strict";
import { join } from "node:path";
import { authorizeUrl, exchangeCode } from "./oauth.mjs";

/** Fills the login form and submits it; answers the response to the POST. */
async function signIn(page, user, password = user.password) {
  await page.getByLabel("Username").fill(user.username);
  await page.getByLabel("Password").fill(password);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST" && r.request().isNavigationRequest()),
    page.getByRole("button", { name: "Sign in" }).click(),
  ]);
  await page.waitForLoadState();
  return response;
}

/** Clicks a submit button and waits until the browser lands on the client's redirect URI. */
export async function clickAndLandOnClient(t, page, buttonName) {
  await Promise.all([
    page.waitForURL((u) => u.href.startsWith(t.rp.redirectUri)),
    page.getByRole("button", { name: buttonName, exact: true }).click(),
  ]);
  return new URL(page.url());
}

/** From a fresh context to the consent page: authorize, check the login page, sign in. */
export async function reachConsent(t, page, user, options) {
  const request = authorizeUrl(t.base, t.client, options);
  const res = await page.goto(request.url);
  assert.equal(res.status(), 200, "the authorization endpoint shows the login page");
  await page.getByRole("heading", { name: `Sign in to continue to ${t.client.client_name}` }).waitFor();
  await signIn(page, user);
  await page.getByRole("button", { name: "Allow", exact: true }).waitFor();
  return request;
}

export function assertCodeResponse(t, landed, request) {
  assert.equal(landed.searchParams.get("error"), null, `no error: ${landed.href}`);
  assert.ok(landed.searchParams.get("code"), "a code");
  assert.equal(landed.searchParams.get("state"), request.state, "the same state (RFC 6749 §4.1.2)");
  assert.equal(landed.searchParams.get("iss"), t.base, "iss is the issuer (RFC 9207)");
  return landed.searchParams.get("code");
}

/** A page on another site (http://localhost:…, not 127.0.0.1) with a form posting to `action`. */
function forgedForm(t, name, action, fields) {
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${k}" value="${v.replaceAll("&", "&amp;").replaceAll('"', "&quot;")}">`)
    .join("");
  return t.rp.servePage(
    name,
    `<!doctype html><title>Win a prize</title><form method="post" action="${action}">${inputs}<button>Claim your prize</button></form>`,
  );
}

/** Submits a form that must be refused: the response is an error and no code reaches the client. */
async function assertRefused(t, page, button) {
  const before = t.rp.callbacks.length;
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST" && r.request().isNavigationRequest()),
    button.click(),
  ]);
  await page.waitForLoadState();
  assert.ok(response.status() >= 400, `refused with an error status, got ${response.status()}`);
  assert.ok(!page.url().startsWith(t.rp.redirectUri), `stays off the client: ${page.url()}`);
  assert.equal(t.rp.callbacks.length, before, "no authorization response reached the client");
}

export const tests = [
  {
    name: "login, consent and Allow land on the redirect URI with code, state and iss; the code buys tokens that /api/me accepts",
    async run(t, page) {
      const user = await t.newUser();
      // Chromium reports every CSP violation on the console: the pages must cause none.
      const violations = [];
      page.on("console", (m) => m.text().includes("Content Security Policy") && violations.push(m.text()));
      const request = authorizeUrl(t.base, t.client);
      const res = await page.goto(request.url);
      assert.equal(res.status(), 200);
      await page.getByRole("heading", { name: `Sign in to continue to ${t.client.client_name}` }).waitFor();
      await page.screenshot({ path: join(t.screenshots, "login.png"), fullPage: true });
      await signIn(page, user);
      const consent = page.locator("main");
      await page.getByRole("button", { name: "Allow", exact: true }).waitFor();
      const text = await consent.innerText();
      for (const expected of [t.client.client_name, user.name, "Confirm your identity", "Your email address"]) {
        assert.ok(text.includes(expected), `the consent page names ${expected}`);
      }
      await page.screenshot({ path: join(t.screenshots, "consent.png"), fullPage: true });
      const code = assertCodeResponse(t, await clickAndLandOnClient(t, page, "Allow"), request);
      assert.deepEqual(violations, [], "no CSP violation on the login and consent pages");

      const token = await exchangeCode(t.base, t.client, code, request.pkce.verifier);
      assert.equal(token.status, 200, `token endpoint: ${JSON.stringify(token.body)}`);
      assert.ok(token.body.access_token, "an access token");
      const me = await fetch(`${t.base}/api/me`, {
        headers: { Authorization: `Bearer ${token.body.access_token}` },
      });
      assert.equal(me.status, 200, `/api/me: ${me.status}`);
      const body = await me.json();
      assert.equal(body.sub, user.sub, "/api/me answers for the signed-in user");
    },
  },
  {
    name: "a second authorization in the same browser skips login and consent",
    async run(t, page) {
      const first = await reachConsent(t, page, await t.newUser());
      assertCodeResponse(t, await clickAndLandOnClient(t, page, "Allow"), first);
      const second = authorizeUrl(t.base, t.client);
      const res = await page.goto(second.url);
      // goto follows the redirect: landing on the client means no page was shown in between.
      assert.ok(page.url().startsWith(t.rp.redirectUri), `straight back to the client: ${page.url()}`);
      assert.equal(res.request().redirectedFrom()?.url(), second.url);
      assertCodeResponse(t, new URL(page.url()), second);
    },
  },
  {
    name: "Deny lands on the redirect URI with error=access_denied, the state and no code",
    async run(t, page) {
      const request = await reachConsent(t, page, await t.newUser());
      const landed = await clickAndLandOnClient(t, page, "Deny");
      assert.equal(landed.searchParams.get("error"), "access_denied");
      assert.equal(landed.searchParams.get("state"), request.state);
      assert.equal(landed.searchParams.get("code"), null);
      assert.equal(landed.searchParams.get("iss"), t.base);
    },
  },
  {
    name: "a wrong password shows the login page again with an alert, and no code",
    async run(t, page) {
      await page.goto(authorizeUrl(t.base, t.client).url);
      const response = await signIn(page, await t.newUser(), "not-the-password");
      assert.ok(response.status() >= 400, `an error status, got ${response.status()}`);
      const alert = page.getByRole("alert");
      assert.ok((await alert.innerText()).length > 0, "the error is announced");
      assert.equal(await page.locator('input[name="password"]').count(), 1, "the form is shown again");
      await page.screenshot({ path: join(t.screenshots, "login-error.png"), fullPage: true });
    },
  },
  {
    name: "after 5 wrong passwords even the right one is refused for a while (429, login throttle)",
    async run(t, page) {
      const user = await t.newUser();
      await page.goto(authorizeUrl(t.base, t.client).url);
      for (let i = 0; i < 5; i++) {
        const response = await signIn(page, user, `wrong-${i}`);
        assert.equal(response.status(), 400, `attempt ${i + 1} is an ordinary failure`);
      }
      const response = await signIn(page, user);
      assert.equal(response.status(), 429);
      assert.ok(Number(await response.headerValue("retry-after")) > 0, "Retry-After");
      assert.match(await page.getByRole("alert").innerText(), /try again later/i);
      await page.screenshot({ path: join(t.screenshots, "login-throttled.png"), fullPage: true });
    },
  },
  {
    name: "a consent form forged on another site, even with the real tokens, yields no code",
    async run(t, page) {
      await reachConsent(t, page, await t.newUser());
      const form = page.locator("form");
      const action = new URL(await form.getAttribute("action"), page.url()).href;
      const fields = {
        request: await page.locator('input[name="request"]').getAttribute("value"),
        csrf: await page.locator('input[name="csrf"]').getAttribute("value"),
        decision: "allow",
      };
      await page.goto(forgedForm(t, "forged-consent", action, fields));
      await assertRefused(t, page, page.getByRole("button", { name: "Claim your prize" }));
      await page.screenshot({ path: join(t.screenshots, "error.png"), fullPage: true });
    },
  },
  {
    name: "the consent form posted without its csrf field yields no code",
    async run(t, page) {
      await reachConsent(t, page, await t.newUser());
      // DevTools evaluation is not subject to the page's CSP; a user's page could never do this.
      await page.evaluate(() => document.querySelector('input[name="csrf"]').remove());
      await assertRefused(t, page, page.getByRole("button", { name: "Allow", exact: true }));
    },
  },
  {
    name: "after a forged consent was refused, the user's own Allow on Gatehouse's page still works",
    async run(t, page) {
      await reachConsent(t, page, await t.newUser());
      const action = await page.locator("form").getAttribute("action");
      await page.goto(
        forgedForm(t, "forged-again", new URL(action, t.base).href, {
          request: await page.locator('input[name="request"]').getAttribute("value"),
          decision: "allow",
        }),
      );
      await assertRefused(t, page, page.getByRole("button", { name: "Claim your prize" }));
      // The session from the sign-in above is still there: straight to the consent page.
      const request = authorizeUrl(t.base, t.client);
      await page.goto(request.url);
      assertCodeResponse(t, await clickAndLandOnClient(t, page, "Allow"), request);
    },
  },
  {
    name: "the login page refuses to be framed by another site (frame-ancestors 'none')",
    async run(t, page) {
      const framer = t.rp.servePage(
        "framer",
        `<!doctype html><title>Framer</title><iframe name="victim" src="${authorizeUrl(t.base, t.client).url}"></iframe>`,
      );
      const refused = page.waitForEvent("console", (m) => m.text().includes("frame-ancestors"));
      await page.goto(framer);
      await refused;
      // Found through the iframe element: the blocked frame's own name may not be set yet when
      // the console message arrives.
      const frame = page.frameLocator('iframe[name="victim"]');
      assert.equal(await frame.locator('input[name="password"]').count(), 0, "no login form inside the frame");
    },
  },
];
