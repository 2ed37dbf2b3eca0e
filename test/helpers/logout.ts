/**
 * RP-initiated logout (OIDC RP-Initiated Logout 1.0) as clients and browsers drive it: a signed-in
 * browser with the ID token its client received, the end-session URL, and the silent check
 * (prompt=none) that tells whether the browser is still signed in.
 */
import { expect } from "vitest";
import { authorizationRequest, authorizeWithLogin, redirectParams, TestBrowser } from "./browser";
import { exchangeCode, expectTokens, type TokenResponseBody } from "./codes";
import type { TestClient, TestUser } from "./fixtures";

/**
 * `user` signs in to `client` in `browser` (or, when the browser is signed in already, only
 * allows the client); the client redeems the code. Returns the ID token and the whole response.
 */
export async function signInForIdToken(
  client: TestClient,
  user: TestUser,
  browser = new TestBrowser(),
): Promise<{ browser: TestBrowser; idToken: string; tokens: TokenResponseBody }> {
  const { code, verifier } = browser.cookies.has("gatehouse-session")
    ? await allowAsSignedIn(client, browser)
    : await authorizeWithLogin(client, user, {}, browser);
  const tokens = await expectTokens(
    await exchangeCode(client, { code, verifier, redirectUri: client.redirect_uri }),
  );
  expect(tokens.id_token).toBeTruthy();
  return { browser, idToken: tokens.id_token as string, tokens };
}

/** The signed-in browser's way to a code: the consent page (Allow), no login. */
async function allowAsSignedIn(client: TestClient, browser: TestBrowser) {
  const { url, pkce } = await authorizationRequest(client);
  const consent = await browser.fetch(url);
  expect(consent.status).toBe(200);
  const back = await browser.submit(await consent.text(), { decision: "allow" });
  expect(back.status).toBe(303);
  const code = redirectParams(back, client.redirect_uri).get("code");
  expect(code).toBeTruthy();
  return { code: code as string, verifier: pkce.verifier };
}

/** The end-session URL with `params` (RP-Initiated Logout §2). */
export function logoutUrl(params: Record<string, string> = {}): string {
  const query = new URLSearchParams(params).toString();
  return query === "" ? "/logout" : `/logout?${query}`;
}

/**
 * What a silent authorization request (prompt=none) gets in `browser`: "code" while signed in,
 * else the error it redirects with (login_required once signed out).
 */
export async function silentAnswer(browser: TestBrowser, client: TestClient): Promise<string> {
  const { url } = await authorizationRequest(client, { extra: { prompt: "none" } });
  const res = await browser.fetch(url);
  expect(res.status).toBe(302);
  const params = redirectParams(res, client.redirect_uri);
  return params.has("code") ? "code" : (params.get("error") ?? "none");
}
