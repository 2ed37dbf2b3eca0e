import type { Context } from "hono";
import type { AppEnv, ErrorRedirect } from "../http/app-env";
import { toOAuthError } from "../http/on-error";
import { OAuthError } from "../protocol/errors";
import { renderErrorPage } from "../ui/error-page";
import { redirectToClient } from "./authorization-response";

/**
 * Records that errors of this request may now go back to the client: its client and redirect
 * URI are validated (RFC 6749 §4.1.2.1) and someone vouches for sending the browser there
 * unseen (RFC 9700 §4.11.2: the operator who registered the client, or a signed-in user).
 */
export function recordRedirectTarget(
  c: Context<AppEnv>,
  target: { redirectUri: string; state?: string | undefined },
  status: 302 | 303,
): void {
  c.set("redirectTarget", { redirectUri: target.redirectUri, state: target.state, status });
}

/**
 * The error handler of the authorization group (/authorize and its login and consent forms).
 * RFC 6749 §4.1.2.1: until the client and redirect URI are validated the user agent must not be
 * redirected, so the error is an HTML page (with no link back to the client); once the route has
 * recorded the target, the error goes back to the client. An unexpected failure (server_error,
 * not an OAuthError) stays a page, as it always was.
 */
export function onAuthorizationError(
  err: Error,
  c: Context<AppEnv>,
): Response | Promise<Response> {
  const target = c.get("redirectTarget");
  if (target !== undefined && err instanceof OAuthError) return redirectError(c, err, target);
  // OIDC Core §3.1.2.1 ui_locales of the request (GET /authorize) chooses the page's language too.
  return renderErrorPage(c, toOAuthError(err), { uiLocales: c.req.query("ui_locales") });
}

/** RFC 6749 §4.1.2.1: error, error_description and state (iss added by redirectToClient). */
function redirectError(c: Context<AppEnv>, err: OAuthError, target: ErrorRedirect): Response {
  return redirectToClient(
    c,
    target.redirectUri,
    [
      ["error", err.error],
      ["error_description", err.description],
      ["state", target.state],
    ],
    target.status,
  );
}
