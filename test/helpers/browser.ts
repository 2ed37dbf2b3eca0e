import { decodeJwt } from "jose";
import { expect } from "vitest";
import { type CodeForExchange, exchangeCode, expectTokens } from "./codes";
import { deployment } from "./deployment";
import { request } from "./http";
import { createClient, createUser, type TestClient, type TestUser } from "./fixtures";
import { createPkce } from "./pkce";

/**
 * A minimal browser for driving the authorization endpoint over HTTP: it keeps cookies and
 * submits the server's own forms (hidden fields included), as a user without JavaScript would.
 */
export class TestBrowser {
  readonly cookies = new Map<string, string>();

  /** `send` reaches the Worker; by default the one under test at http://localhost. */
  constructor(private readonly send: typeof request = request) {}

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) {
      headers.set("Cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    }
    const res = await this.send(path, { ...init, headers });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair = "", ...attributes] = cookie.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** Submits the page's form with its hidden fields plus `fields`, as a browser would. */
  async submit(page: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    const form = parseForm(page);
    const body = new URLSearchParams({ ...form.hidden, ...fields });
    return this.fetch(form.action, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
      body,
    });
  }
}

export interface ParsedForm {
  action: string;
  hidden: Record<string, string>;
}

const decode = (s: string) =>
  s
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");

export function parseForm(page: string): ParsedForm {
  const action = /<form[^>]*action="([^"]*)"/.exec(page)?.[1];
  if (action === undefined) throw new Error(`no form on the page:\n${page}`);
  const hidden: Record<string, string> = {};
  for (const m of page.matchAll(/<input[^>]*>/g)) {
    const tag = m[0];
    if (!/type="hidden"/.test(tag)) continue;
    const name = /name="([^"]*)"/.exec(tag)?.[1];
    const value = /value="([^"]*)"/.exec(tag)?.[1];
    if (name !== undefined) hidden[name] = decode(value ?? "");
  }
  return { action: decode(action), hidden };
}

export interface AuthorizeOptions {
  scope?: string;
  state?: string;
  nonce?: string;
  extra?: Record<string, string>;
  /** `null` leaves redirect_uri out (RFC 6749 §3.1.2.3: a client with one registered URI may). */
  redirectUri?: string | null;
  /** Resource indicators (RFC 8707 §2), one `resource` parameter each. */
  resource?: string[];
}

/** An authorization request URL with a fresh PKCE pair. */
export async function authorizationRequest(client: TestClient, options: AuthorizeOptions = {}) {
  const pkce = await createPkce();
  const state = options.state ?? crypto.randomUUID();
  const params = new URLSearchParams({
    response_type: "code",
    client_id: client.client_id,
    redirect_uri: options.redirectUri ?? client.redirect_uri,
    scope: options.scope ?? "openid profile",
    state,
    code_challenge: pkce.challenge,
    code_challenge_method: "S256",
    ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
    ...options.extra,
  });
  if (options.redirectUri === null) params.delete("redirect_uri");
  for (const resource of options.resource ?? []) params.append("resource", resource);
  return { url: `/authorize?${params}`, pkce, state };
}

/** The redirect's query parameters, after checking that it goes to `redirectUri`. */
export function redirectParams(res: Response, redirectUri: string): URLSearchParams {
  const location = res.headers.get("Location");
  expect(location, `expected a redirect, got ${res.status}`).toBeTruthy();
  const url = new URL(location as string);
  expect(`${url.origin}${url.pathname}`).toBe(redirectUri);
  return url.searchParams;
}

/**
 * The whole browser part of the flow: authorize → login → consent (Allow) → redirect.
 * Returns the code, the PKCE verifier and the browser (with its session).
 */
export async function authorizeWithLogin(
  client: TestClient,
  user: TestUser,
  options: AuthorizeOptions = {},
  browser = new TestBrowser(),
) {
  const { url, pkce, state } = await authorizationRequest(client, options);
  const loginPage = await browser.fetch(url);
  expect(loginPage.status).toBe(200);
  const afterLogin = await browser.submit(await loginPage.text(), {
    username: user.username,
    password: user.password,
  });
  let final = afterLogin;
  if (afterLogin.status === 200) {
    final = await browser.submit(await afterLogin.text(), { decision: "allow" });
  }
  expect(final.status).toBe(303);
  const params = redirectParams(final, options.redirectUri ?? client.redirect_uri);
  expect(params.get("state")).toBe(state);
  const code = params.get("code");
  expect(code).toBeTruthy();
  return { code: code as string, verifier: pkce.verifier, state, browser, params };
}

export interface CodeOptions {
  /** Default: openid profile email. */
  scope?: string[];
  nonce?: string;
  /** Resource indicators (RFC 8707). */
  resource?: string[];
  /** Leave redirect_uri out of the authorization request (then the token request may too). */
  omitRedirectUri?: boolean;
}

/**
 * A code as a client gets one: `user` signs in through /authorize, the login form and the
 * consent page (Allow). Default scope "openid profile email"; the code lives 60 s. Resources are
 * asked of a deployment that serves them (RESOURCES, read by /authorize only); the code is then
 * redeemed at the token endpoint like any other, which narrows within the grant.
 */
export async function obtainCode(
  client: TestClient,
  user: TestUser,
  options: CodeOptions = {},
): Promise<CodeForExchange> {
  const browser = options.resource?.length
    ? new TestBrowser(deployment({ RESOURCES: options.resource.join(" ") }))
    : new TestBrowser();
  const { code, verifier } = await authorizeWithLogin(
    client,
    user,
    {
      scope: (options.scope ?? ["openid", "profile", "email"]).join(" "),
      ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
      ...(options.resource === undefined ? {} : { resource: options.resource }),
      ...(options.omitRedirectUri ? { redirectUri: null } : {}),
    },
    browser,
  );
  return { code, verifier, redirectUri: client.redirect_uri };
}

/**
 * A browser in which `user` (default: a new user) has signed in, through the flow of a client
 * of its own: it carries a Gatehouse session and nothing else about the client under test.
 */
export async function signedInBrowser(user?: TestUser): Promise<{ browser: TestBrowser; user: TestUser }> {
  const someone = user ?? (await createUser());
  const { browser } = await authorizeWithLogin(await createClient(), someone);
  return { browser, user: someone };
}

/**
 * Whom the app sees signed in in `browser`: the subject of the code that a silent request
 * (prompt=none, OIDC Core §3.1.2.1) gets at once.
 */
export async function silentSubject(browser: TestBrowser, client: TestClient): Promise<string> {
  const silent = await authorizationRequest(client, { extra: { prompt: "none" } });
  const res = await browser.fetch(silent.url);
  expect(res.status).toBe(302);
  const code = redirectParams(res, client.redirect_uri).get("code") as string;
  return (await redeemCode(client, code, silent.pkce.verifier)).sub;
}

/**
 * The client's side of the code: exchanges it at the token endpoint (with the client's own
 * authentication) and returns the tokens' subject and the ID token's auth_time.
 */
export async function redeemCode(
  client: TestClient,
  code: string,
  verifier: string,
  options: { redirectUri?: string; send?: typeof request } = {},
): Promise<{ sub: string; authTime: number | undefined }> {
  const redirectUri = options.redirectUri ?? client.redirect_uri;
  const tokens = await expectTokens(await exchangeCode(client, { code, verifier, redirectUri }, {}, options.send));
  const access = decodeJwt(tokens.access_token);
  const id = tokens.id_token === undefined ? undefined : decodeJwt(tokens.id_token);
  return { sub: access.sub as string, authTime: id?.auth_time as number | undefined };
}
