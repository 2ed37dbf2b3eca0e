/**
 * Codes and tokens obtained only through the public HTTP interface, as a browser and a client
 * would: /authorize (following the login and consent pages, whatever the server shows), then
 * /token, /revoke and /userinfo. Nothing here knows how a code, a refresh token or a grant is
 * made inside, so the suites built on it (test/properties/, test/concurrency/) hold while those
 * formats change.
 */
import { expect } from "vitest";
import { TestBrowser, authorizationRequest, type AuthorizeOptions } from "./browser";
import { type TokenResponseBody, clientAuth } from "./codes";
import type { TestClient, TestUser } from "./fixtures";
import { postForm, request } from "./http";

/** A code issued by /authorize, with what its redemption needs. */
export interface IssuedCode {
  client: TestClient;
  code: string;
  verifier: string;
  redirectUri: string;
}

/**
 * A client address for `CF-Connecting-IP`, from 198.18.0.0/15 (RFC 2544, benchmarking). Suites
 * that send many failing requests give each its own address, so that a per-address throttle
 * (issue 10 point 4) answers only where a test means to trigger it.
 */
export function testAddress(n: number): string {
  return `198.${18 + ((n >>> 16) & 1)}.${(n >>> 8) & 255}.${n & 255}`;
}

/**
 * Runs the browser part of the flow for `client` and returns the code: whatever pages the server
 * shows on the way (login form, consent form) are filled in as the user would, and the final
 * redirect must go to the redirect URI with the request's state.
 */
export async function obtainCode(
  client: TestClient,
  user: TestUser,
  browser = new TestBrowser(),
  options: AuthorizeOptions = {},
): Promise<IssuedCode> {
  const { url, pkce, state } = await authorizationRequest(client, options);
  const redirectUri = options.redirectUri ?? client.redirect_uri;
  let res = await browser.fetch(url);
  for (let step = 0; step < 4 && res.status === 200; step++) {
    const page = await res.text();
    if (/type="password"/.test(page)) {
      res = await browser.submit(page, { username: user.username, password: user.password });
    } else if (/name="decision"/.test(page)) {
      res = await browser.submit(page, { decision: "allow" });
    } else {
      throw new Error(`obtainCode: a page with neither login nor consent form:\n${page}`);
    }
  }
  expect([302, 303], `obtainCode: expected a redirect, got ${res.status}`).toContain(res.status);
  const location = new URL(res.headers.get("Location") ?? "");
  expect(`${location.origin}${location.pathname}`).toBe(redirectUri.split("?")[0]);
  expect(location.searchParams.get("state")).toBe(state);
  const code = location.searchParams.get("code");
  expect(code, `obtainCode: no code in ${location.href}`).toBeTruthy();
  return { client, code: code as string, verifier: pkce.verifier, redirectUri };
}

/** Headers of a request from `address` (when given) plus `extra`. */
function from(address: string | undefined, extra: Record<string, string>): Record<string, string> {
  return address === undefined ? extra : { ...extra, "CF-Connecting-IP": address };
}

/** POST /token redeeming `issued`, authenticated as its client with its registered method. */
export function redeem(issued: IssuedCode, address?: string): Promise<Response> {
  const auth = clientAuth(issued.client);
  return postForm(
    "/token",
    {
      grant_type: "authorization_code",
      code: issued.code,
      redirect_uri: issued.redirectUri,
      code_verifier: issued.verifier,
      ...auth.form,
    },
    from(address, auth.headers),
  );
}

/** POST /token with grant_type=refresh_token, authenticated as `client`. */
export function refreshAs(client: TestClient, refreshToken: string, address?: string) {
  const auth = clientAuth(client);
  return postForm(
    "/token",
    { grant_type: "refresh_token", refresh_token: refreshToken, ...auth.form },
    from(address, auth.headers),
  );
}

/** POST /revoke (RFC 7009 §2.1), authenticated as `client`. */
export function revokeAs(client: TestClient, token: string, address?: string) {
  const auth = clientAuth(client);
  return postForm("/revoke", { token, ...auth.form }, from(address, auth.headers));
}

/** GET /userinfo with `accessToken`: 200 while its grant lives, 401 once it ended. */
export function userinfo(accessToken: string): Promise<Response> {
  return request("/userinfo", { headers: { Authorization: `Bearer ${accessToken}` } });
}

/** The browser part and the code exchange: a started grant's tokens. */
export async function obtainTokens(
  client: TestClient,
  user: TestUser,
  browser = new TestBrowser(),
): Promise<TokenResponseBody> {
  const res = await redeem(await obtainCode(client, user, browser));
  expect(res.status).toBe(200);
  return (await res.json()) as TokenResponseBody;
}

/** A response read once: its status and its JSON body (null when the body is not JSON). */
export interface Answer {
  status: number;
  body: { error?: string; refresh_token?: string; access_token?: string } | null;
}

export async function answers(responses: Response[]): Promise<Answer[]> {
  return Promise.all(
    responses.map(async (res) => {
      const text = await res.text();
      let body: Answer["body"] = null;
      try {
        body = JSON.parse(text) as Answer["body"];
      } catch {
        // RFC 7009 §2.2: a revocation answers 200 with an empty body.
      }
      return { status: res.status, body };
    }),
  );
}

/** Answers counted by status and error code: `{ ok: 1, "400 invalid_grant": 199 }`. */
export function tally(list: Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { status, body } of list) {
    const key = status === 200 ? "ok" : `${status} ${body?.error ?? ""}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
