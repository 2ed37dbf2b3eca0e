import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { ConfigError } from "../config";
import { type ErrorResponse, NO_STORE, renderJsonError } from "../protocol/error-response";
import { OAuthError } from "../protocol/errors";
import type { AppEnv } from "./app-env";

export { NO_STORE };

/**
 * The error handler of the JSON route groups (token, revocation, introspection, registration,
 * userinfo, metadata, admin): every error as an RFC 6749 §5.2 JSON body, whatever the request's
 * Accept header says.
 */
export function onJsonError(err: Error, c: Context<AppEnv>): Response {
  return renderJsonError(c, toErrorResponse(err));
}

/** RFC 9110 §15.5.5: no such endpoint here (an unknown path, or one switched off). */
export function notFound(description = "No such endpoint"): ErrorResponse {
  return { error: "not_found", description, status: 404, headers: {} };
}

/** Any error as a JSON error: an HTTPException 404 is `not_found`, the rest an OAuthError. */
function toErrorResponse(err: Error): ErrorResponse {
  if (err instanceof HTTPException && err.status === 404) return notFound(err.message || undefined);
  return toOAuthError(err);
}

/** Configuration errors already logged by this isolate. */
const loggedConfigErrors = new Set<string>();

/**
 * Any error as an OAuthError: a malformed request hono refused stays a 4xx invalid_request; a
 * configuration error and anything unexpected become server_error, with no stack trace.
 */
export function toOAuthError(err: Error): OAuthError {
  if (err instanceof OAuthError) return err;
  if (err instanceof HTTPException && err.status < 500) {
    return new OAuthError("invalid_request", err.message || "The request is malformed", {
      status: err.status,
    });
  }
  if (err instanceof ConfigError) {
    // The same error comes back on every request until the operator fixes it: log it once.
    if (!loggedConfigErrors.has(err.message)) {
      loggedConfigErrors.add(err.message);
      console.error(err.message);
    }
    return new OAuthError("server_error", err.publicDescription);
  }
  // Never a stack trace to the client; the log keeps it.
  console.error("Unhandled error", err);
  return new OAuthError("server_error", "An unexpected error occurred");
}
