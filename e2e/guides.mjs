// The guides' client examples (docs/guides/) in a real browser against `wrangler dev`:
// - examples/spa: the single-page app, served by its own serve.mjs on a loopback port, signs in
//   with PKCE as a public client from Chromium, calls an API cross-origin, refreshes, signs out;
// - examples/native-app: the command-line app's signIn(), with Chromium standing in for the
//   system browser (RFC 8252: loopback redirect on a port the app picks).
import assert from "node:assert/strict";
import { refresh, signIn, userInfo } from "../examples/native-app/sign-in.mjs";
import { serveSpa } from "../examples/spa/serve.mjs";

/** On Gatehouse's login page: signs in as `user`, allows, and waits to land where `landed` says. */
async function signInAndAllow(page, user, landed) {
  await page.locator('input[name="username"]').fill(user.username);
  await page.locator('input[name="password"]').fill(user.password);
  await page.locator('input[name="password"]').press("Enter");
  await Promise.all([
    page.waitForURL(landed),
    page.getByRole("button", { name: "Allow", exact: true }).click(),
  ]);
}

/** The user's live grants, as the admin API lists them. */
async function grantsOf(t, sub) {
  const res = await fetch(`${t.base}/admin/users/${sub}/grants`, {
    headers: { Authorization: `Bearer ${t.admin.token}` },
  });
  assert.equal(res.status, 200);
  return (await res.json()).grants;
}

/** A public client (no secret, PKCE only) made with the admin API. */
function publicClient(t, name, redirectUri) {
  return t.admin.createClient({
    client_name: name,
    redirect_uris: [redirectUri],
    grant_types: ["authorization_code", "refresh_token"],
    token_endpoint_auth_method: "none",
    scope: "openid profile",
  });
}

async function refreshRefused(t, clientId, refreshToken) {
  const res = await fetch(`${t.base}/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: clientId }),
  });
  assert.equal(res.status, 400);
  assert.equal((await res.json()).error, "invalid_grant");
}

export const tests = [
  {
    name: "guide, single-page app (examples/spa) in Chromium: PKCE as a public client, the code gone from the address bar, tokens in memory only, a cross-origin API call, refresh rotation, sign-out revokes the grant",
    async run(t, page) {
      const config = {};
      const spa = await serveSpa({ config });
      try {
        const redirectUri = `${spa.origin}/`;
        const client = await publicClient(t, "Guide single-page app", redirectUri);
        Object.assign(config, {
          issuer: t.base,
          client_id: client.client_id,
          api: `${t.base}/api/me`,
          scope: "openid profile",
        });
        const problems = [];
        page.on("pageerror", (err) => problems.push(String(err)));
        page.on("console", (msg) => {
          // The browser asks every origin for /favicon.ico on its own; neither serves one.
          const where = msg.location().url ?? "";
          if (msg.type() === "error" && !where.endsWith("/favicon.ico")) problems.push(`${msg.text()} ${where}`);
        });
        const tokenResponses = [];
        page.on("response", (res) => {
          if (res.url() === `${t.base}/token` && res.request().method() === "POST") tokenResponses.push(res.json());
        });
        const output = async (key) => {
          await page.waitForFunction((k) => document.getElementById("output").textContent.includes(`"${k}"`), key);
          return JSON.parse(await page.locator("#output").textContent());
        };

        const user = await t.newUser();
        await page.goto(redirectUri);
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.waitForURL((u) => u.href.startsWith(`${t.base}/authorize`));
        await signInAndAllow(page, user, (u) => u.origin === spa.origin);
        await page.locator("#status", { hasText: "Signed in as Ada Lovelace" }).waitFor();
        assert.equal(await page.locator("#status").getAttribute("data-sub"), user.sub);
        assert.equal(new URL(page.url()).search, "", "the code and state leave the address bar");
        const stored = await page.evaluate(() => localStorage.length + sessionStorage.length);
        assert.equal(stored, 0, "nothing is left in web storage");

        await page.getByRole("button", { name: "Call the API" }).click();
        const api = await output("status");
        assert.deepEqual([api.status, api.body.sub, api.body.client_id], [200, user.sub, client.client_id]);

        await page.getByRole("button", { name: "Refresh the tokens" }).click();
        assert.equal((await output("refreshed")).refreshed, true);
        await page.getByRole("button", { name: "Call the API" }).click();
        assert.equal((await output("status")).status, 200, "the refreshed access token works");
        const [issued, rotated] = await Promise.all(tokenResponses);
        assert.ok(issued.refresh_token && rotated.refresh_token);
        assert.notEqual(rotated.refresh_token, issued.refresh_token, "the refresh token rotates");
        assert.equal((await grantsOf(t, user.sub)).length, 1);

        await page.getByRole("button", { name: "Sign out" }).click();
        assert.equal((await output("signedOut")).signedOut, true);
        await page.locator("#status", { hasText: "Signed out" }).waitFor();
        assert.deepEqual(await grantsOf(t, user.sub), [], "revoking the refresh token ended the grant");
        await refreshRefused(t, client.client_id, rotated.refresh_token);
        assert.deepEqual(problems, [], "no script error and no CSP violation");
      } finally {
        await spa.close();
      }
    },
  },
  {
    name: "guide, native app (examples/native-app): signIn() on a loopback port it picks, Chromium as the system browser; userinfo, refresh rotation",
    async run(t, page) {
      // Registered without a port: RFC 8252 §7.3 lets the app use any port at run time.
      const client = await publicClient(t, "Guide native app", "http://127.0.0.1/callback");
      const user = await t.newUser();
      let opened;
      const tokens = await signIn({
        issuer: t.base,
        clientId: client.client_id,
        async openBrowser(url) {
          opened = new URL(url);
          await page.goto(url);
          await signInAndAllow(page, user, (u) => u.pathname === "/callback");
        },
      });
      const redirect = new URL(opened.searchParams.get("redirect_uri"));
      assert.equal(redirect.hostname, "127.0.0.1");
      assert.notEqual(redirect.port, "", "a port chosen at run time");
      assert.match(await page.locator("body").textContent(), /You are signed in/);

      const claims = await userInfo({ issuer: t.base, clientId: client.client_id, tokens });
      assert.deepEqual([claims.sub, claims.name], [user.sub, "Ada Lovelace"]);
      const refreshed = await refresh({ issuer: t.base, clientId: client.client_id, refreshToken: tokens.refresh_token });
      assert.notEqual(refreshed.refresh_token, tokens.refresh_token, "the refresh token rotates");
      assert.equal((await userInfo({ issuer: t.base, clientId: client.client_id, tokens: refreshed })).sub, user.sub);
      // A public client's rotated-out refresh token used again ends the grant (RFC 9700 §4.14.2).
      await refreshRefused(t, client.client_id, tokens.refresh_token);
      await refreshRefused(t, client.client_id, refreshed.refresh_token);
    },
  },
];
