// The local demo in real Chromium: `/` on the running `wrangler dev` (a loopback issuer, so the
// demo is served), clicked through to revocation, the deny path, and tampered forms. The demo
// seeds its own client and user; the landing page's credentials are the ones typed in.
import assert from "node:assert/strict";
import { join } from "node:path";

/** Clicks a button (or link) and waits for the navigation it starts; answers its response. */
async function clickThrough(page, locator) {
  const [response] = await Promise.all([page.waitForNavigation(), locator.click()]);
  return response;
}

/** The landing page's demo credentials, read from the page as a visitor would. */
async function demoCredentials(page) {
  const username = await page.getByRole("row", { name: /Username/ }).getByRole("code").textContent();
  const password = await page.getByRole("row", { name: /Password/ }).getByRole("code").textContent();
  return { username, password };
}

/** From `/` to Gatehouse's consent page for the demo app, signing in with the shown credentials. */
async function demoToConsent(t, page) {
  const landing = await page.goto(`${t.base}/`);
  assert.equal(landing.status(), 200, "/ is the landing page in local development");
  const credentials = await demoCredentials(page);
  await page.screenshot({ path: join(t.screenshots, "demo-landing.png"), fullPage: true });
  await clickThrough(page, page.getByRole("button", { name: "Try the demo" }));
  await page.getByRole("heading", { name: "Step 1: send the user to Gatehouse" }).waitFor();
  await page.screenshot({ path: join(t.screenshots, "demo-authorize.png"), fullPage: true });
  const authorize = new URL(await page.getByRole("link", { name: "Continue to Gatehouse" }).getAttribute("href"));
  assert.equal(authorize.pathname, "/authorize");
  assert.equal(authorize.searchParams.get("code_challenge_method"), "S256");
  await clickThrough(page, page.getByRole("link", { name: "Continue to Gatehouse" }));
  await page.getByLabel("Username").fill(credentials.username);
  await page.getByLabel("Password").fill(credentials.password);
  await clickThrough(page, page.getByRole("button", { name: "Sign in" }));
  await page.getByRole("button", { name: "Allow", exact: true }).waitFor();
  assert.match(await page.textContent("body"), /Gatehouse demo app/);
  return authorize;
}

const bodyText = (page) => page.textContent("body");

export const tests = [
  {
    name: "demo: / → Try the demo → login → consent → code exchange → API → refresh → revocation, every step shown",
    async run(t, page) {
      const authorize = await demoToConsent(t, page);
      await page.screenshot({ path: join(t.screenshots, "demo-consent.png"), fullPage: true });
      const callback = await clickThrough(page, page.getByRole("button", { name: "Allow", exact: true }));
      assert.equal(callback.status(), 200);
      const landed = new URL(page.url());
      assert.equal(landed.pathname, "/demo/callback");
      assert.equal(landed.searchParams.get("state"), authorize.searchParams.get("state"));
      await page.getByRole("heading", { name: "Step 5: the code is exchanged, server to server" }).waitFor();
      let text = await bodyText(page);
      assert.match(text, /Authorization: Basic …redacted…/);
      assert.doesNotMatch(text, /Basic (?!…redacted…)/, "the client secret never reaches the page");
      assert.match(text, /ID token nonce equals/);
      assert.doesNotMatch(text, /✗/);
      await page.screenshot({ path: join(t.screenshots, "demo-tokens.png"), fullPage: true });

      await clickThrough(page, page.getByRole("button", { name: "Call the API with the access token" }));
      await page.getByRole("heading", { name: "Step 7: the API is called with the access token" }).waitFor();
      text = await bodyText(page);
      assert.match(text, /HTTP 200/);
      assert.match(text, /HTTP 401/);
      assert.match(text, /www-authenticate: Bearer/);
      await page.screenshot({ path: join(t.screenshots, "demo-api.png"), fullPage: true });

      await clickThrough(page, page.getByRole("button", { name: "Refresh the tokens" }));
      await page.getByRole("heading", { name: "Step 8: refresh, and the refresh token rotates" }).waitFor();
      assert.match(await bodyText(page), /A new refresh token replaced the old one/);
      await page.screenshot({ path: join(t.screenshots, "demo-refresh.png"), fullPage: true });

      await clickThrough(page, page.getByRole("button", { name: "Revoke the grant" }));
      await page.getByRole("heading", { name: "Step 9: revocation" }).waitFor();
      text = await bodyText(page);
      assert.equal(text.match(/"error": "invalid_grant"/g)?.length, 2, "the refresh token and the rotated one are refused");
      assert.match(text, /"active": false/);
      await page.screenshot({ path: join(t.screenshots, "demo-revoked.png"), fullPage: true });
    },
  },
  {
    name: "demo: Deny on the consent page shows access_denied at the demo's callback, and no token request",
    async run(t, page) {
      await demoToConsent(t, page);
      await clickThrough(page, page.getByRole("button", { name: "Deny", exact: true }));
      const landed = new URL(page.url());
      assert.equal(landed.pathname, "/demo/callback");
      assert.equal(landed.searchParams.get("error"), "access_denied");
      assert.equal(landed.searchParams.get("code"), null);
      await page.getByRole("heading", { name: "Step 4: the answer is an error" }).waitFor();
      const text = await bodyText(page);
      assert.match(text, /error=access_denied/);
      assert.doesNotMatch(text, /\/token/);
    },
  },
  {
    name: "demo: a consent form whose hidden request field was changed in the DOM gives an error page and no code",
    async run(t, page) {
      await demoToConsent(t, page);
      // The sealed pending request, altered before submitting: its authenticated encryption fails.
      await page.locator('input[name="request"]').evaluate((input) => {
        const last = input.value.at(-2) === "A" ? "B" : "A";
        input.value = `${input.value.slice(0, -2)}${last}${input.value.at(-1)}`;
      });
      const response = await clickThrough(page, page.getByRole("button", { name: "Allow", exact: true }));
      assert.ok(response.status() >= 400, `an error status, got ${response.status()}`);
      assert.notEqual(new URL(page.url()).pathname, "/demo/callback", "the browser stays on Gatehouse");
      await page.getByRole("alert").waitFor();
      await page.screenshot({ path: join(t.screenshots, "demo-tampered-consent.png"), fullPage: true });
    },
  },
  {
    name: "demo: a step form whose csrf field was changed in the DOM is refused (403) and calls nothing",
    async run(t, page) {
      await demoToConsent(t, page);
      await clickThrough(page, page.getByRole("button", { name: "Allow", exact: true }));
      await page.getByRole("button", { name: "Call the API with the access token" }).waitFor();
      await page.locator('input[name="csrf"]').evaluate((input) => {
        input.value = "forged-by-another-page";
      });
      const response = await clickThrough(page, page.getByRole("button", { name: "Call the API with the access token" }));
      assert.equal(response.status(), 403);
      assert.doesNotMatch(await bodyText(page), /api\/me/);
    },
  },
];
