import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { ConfigError } from "../config";
import { redirectToClient } from "../oauth/authorization-response";
import { OAuthError } from "../protocol/errors";
import { renderErrorPage } from "../ui/error-page";
import type { AppEnv } from "./app-env";

/** Headers that every error and token response carries (RFC 6749 §5.1). */
export const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" } as const;

/** Where every error of the app is rendered. */
export function onError(err: Error, c: Context<AppEnv>): Response | Promise<Response> {
  const oauth = toOAuthError(err, c);
  const rendering = oauth.rendering;
  switch (rendering.kind) {
    case "redirect":
      // RFC 6749 §4.1.2.1: error, error_description and state (iss added by redirectToClient).
      return redirectToClient(
        c,
        rendering.redirectUri,
        [
          ["error", oauth.error],
          ["error_description", oauth.description],
          ["state", rendering.state],
        ],
        rendering.status,
      );
    case "page":
      return renderErrorPage(c, oauth);
    case "json":
      return c.json(oauth.toJSON(), oauth.status as 400, { ...oauth.headers, ...NO_STORE });
  }
}

/** Configuration errors already logged by this isolate. */
const loggedConfigErrors = new Set<string>();

function toOAuthError(err: Error, c: Context<AppEnv>): OAuthError {
  if (err instanceof OAuthError) return err;
  const wantsPage = (c.req.header("Accept") ?? "").includes("text/html");
  const rendering = wantsPage ? ({ kind: "page" } as const) : ({ kind: "json" } as const);
  if (err instanceof HTTPException && err.status < 500) {
    return new OAuthError("invalid_request", err.message || "The request is malformed", {
      status: err.status,
      rendering,
    });
  }
  if (err instanceof ConfigError) {
    // The same error comes back on every request until the operator fixes it: log it once.
    if (!loggedConfigErrors.has(err.message)) {
      loggedConfigErrors.add(err.message);
      console.error(err.message);
    }
    return new OAuthError("server_error", err.publicDescription, { rendering });
  }
  // Never a stack trace to the client; the log keeps it.
  console.error("Unhandled error", err);
  return new OAuthError("server_error", "An unexpected error occurred", { rendering });
}
