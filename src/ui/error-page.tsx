// OWNER: helper D (pages). Minimal placeholder until the real page lands.
import type { Context } from "hono";
import type { AppEnv } from "../http/app-env";
import type { OAuthError } from "../oauth/errors";

/** The HTML error page of the authorization endpoint (a bad client or redirect URI, etc.). */
export function renderErrorPage(c: Context<AppEnv>, err: OAuthError): Response | Promise<Response> {
  return c.html(
    <html lang="en">
      <head>
        <title>Error</title>
      </head>
      <body>
        <h1>{err.error}</h1>
        <p>{err.description}</p>
      </body>
    </html>,
    err.status as 400,
    { "Cache-Control": "no-store" },
  );
}
