import type { Context } from "hono";
import type { AppEnv } from "../http/app-env";

/**
 * The one way the authorization endpoint and its forms send the browser back to the client,
 * with a code (RFC 6749 §4.1.2) or an error (§4.1.2.1), plus RFC 9207's `iss`.
 *
 * It answers through the Hono context (`c.redirect`), never with a bare `Response`: headers and
 * cookies set on the context while handling the request — above all the session cookie a
 * sign-in has just started — reach the browser only on a response the context builds. A
 * remembered consent that sent the user back with a bare `Response` used to drop the new
 * session. test/http/responses.test.ts refuses any bare `Response` under src/oauth and src/http.
 */
export function redirectToClient(
  c: Context<AppEnv>,
  redirectUri: string,
  params: ReadonlyArray<readonly [string, string | undefined]>,
  status: 302 | 303,
): Response {
  const response = params.filter((p): p is readonly [string, string] => p[1] !== undefined);
  response.push(["iss", c.get("issuer")]);
  // The URL carries a code or the client's state: never cached, never sent on as a Referer.
  c.header("Cache-Control", "no-store");
  c.header("Pragma", "no-cache");
  c.header("Referrer-Policy", "no-referrer");
  return c.redirect(authorizationResponseUri(redirectUri, response), status);
}

/**
 * RFC 6749 §3.1.2: the redirection URI "MAY include an application/x-www-form-urlencoded
 * formatted query component, which MUST be retained when adding additional query parameters".
 * The registered query is kept byte for byte (not re-serialised by a URL parser) and the response
 * parameters are appended. Registered URIs have no fragment (§3.1.2, checked at registration).
 */
export function authorizationResponseUri(
  redirectUri: string,
  params: ReadonlyArray<readonly [string, string]>,
): string {
  const query = new URLSearchParams(params.map(([k, v]) => [k, v])).toString();
  if (!redirectUri.includes("?")) return `${redirectUri}?${query}`;
  const joiner = redirectUri.endsWith("?") || redirectUri.endsWith("&") ? "" : "&";
  return `${redirectUri}${joiner}${query}`;
}
