import type { Context } from "hono";
import type { AppEnv } from "../http/app-env";
import type { OAuthError, OAuthErrorCode } from "../protocol/errors";
import { Layout } from "./layout";
import { renderPage } from "./render";

/** What went wrong, in plain words, for the codes a browser can meet. */
const SUMMARIES: Partial<Record<OAuthErrorCode, string>> = {
  invalid_request: "The sign-in request is not valid.",
  invalid_client: "The application that sent you here is not known.",
  unauthorized_client: "The application that sent you here may not sign you in this way.",
  invalid_redirect_uri: "The application asked to send you to an address it has not registered.",
  unsupported_response_type: "The application asked for a kind of sign-in that is not supported.",
  invalid_scope: "The application asked for permissions that are not available.",
  invalid_target: "The application asked for access to a service that is not available.",
  access_denied: "Access was denied.",
  login_required: "You need to sign in.",
  consent_required: "Your permission is needed.",
  interaction_required: "Your input is needed.",
  temporarily_unavailable: "Sign-in is temporarily unavailable.",
  server_error: "Something went wrong on our side.",
};

/**
 * The HTML error page of the authorization endpoint: used when the client or redirect URI cannot
 * be trusted (RFC 6749 §4.1.2.1: the user agent must not be redirected), so it offers no link
 * back to the client (RFC 9700 §4.11: no open redirector).
 */
export function ErrorPage({ error, description }: { error: OAuthErrorCode; description: string }) {
  return (
    <Layout title="Error">
      <h1>{SUMMARIES[error] ?? "The request could not be completed."}</h1>
      <p role="alert">{description}</p>
      <p class="muted">
        Error code: <code>{error}</code>
      </p>
      <p class="muted">You can close this page and start again from the application.</p>
    </Layout>
  );
}

/** The HTML error page of the authorization endpoint (a bad client or redirect URI, etc.). */
export function renderErrorPage(c: Context<AppEnv>, err: OAuthError): Promise<Response> {
  // RFC 6749 §5.2 statuses are 4xx/5xx; anything else would be a bug, shown as 500, not a 200.
  const status = err.status >= 400 && err.status <= 599 ? err.status : 500;
  return renderPage(c, <ErrorPage error={err.error} description={err.description} />, {
    status,
    headers: err.headers,
  });
}
