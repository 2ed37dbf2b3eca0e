import type { Context } from "hono";
import type { AppEnv } from "../http/app-env";
import type { OAuthError, OAuthErrorCode } from "../protocol/errors";
import { Layout } from "./layout";
import { PAGE_ERROR_CODES, type PageErrorCode } from "./messages";
import { usePage } from "./page-context";
import { renderPage, type RenderPageOptions } from "./render";

const SUMMARISED: ReadonlySet<string> = new Set(PAGE_ERROR_CODES);

/**
 * The HTML error page of the authorization endpoint: used when the client or redirect URI cannot
 * be trusted (RFC 6749 §4.1.2.1: the user agent must not be redirected), so it offers no link
 * back to the client (RFC 9700 §4.11: no open redirector).
 *
 * The summary is in the page's language; the description is the error_description, which is for
 * developers and stays English (RFC 6749 §5.2), so it is marked lang="en" (WCAG 2.2 SC 3.1.2).
 */
export function ErrorPage({ error, description }: { error: OAuthErrorCode; description: string }) {
  const m = usePage().messages.error;
  return (
    <Layout title={m.title}>
      <h1>{SUMMARISED.has(error) ? m.summaries[error as PageErrorCode] : m.summary}</h1>
      <p role="alert" lang="en">
        {description}
      </p>
      <p class="muted">{m.code(<code>{error}</code>)}</p>
      <p class="muted">{m.startAgain}</p>
    </Layout>
  );
}

/** The HTML error page of the authorization endpoint (a bad client or redirect URI, etc.). */
export function renderErrorPage(
  c: Context<AppEnv>,
  err: OAuthError,
  options: Pick<RenderPageOptions, "uiLocales"> = {},
): Promise<Response> {
  // RFC 6749 §5.2 statuses are 4xx/5xx; anything else would be a bug, shown as 500, not a 200.
  const status = err.status >= 400 && err.status <= 599 ? err.status : 500;
  return renderPage(c, <ErrorPage error={err.error} description={err.description} />, {
    status,
    headers: err.headers,
    ...options,
  });
}
