import type { Context } from "hono";
import type { AppEnv } from "../http/app-env";
import { appendResponseParams } from "./redirect-uri";

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
  // The registered query is kept byte for byte (RFC 6749 §3.1.2); undefined values are left out.
  const location = appendResponseParams(redirectUri, {
    ...Object.fromEntries(params),
    iss: c.get("issuer"),
  });
  // The URL carries a code or the client's state: never cached, never sent on as a Referer.
  c.header("Cache-Control", "no-store");
  c.header("Pragma", "no-cache");
  c.header("Referrer-Policy", "no-referrer");
  return c.redirect(location, status);
}
