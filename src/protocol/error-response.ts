import type { Context } from "hono";
import { type BearerChallenge, bearerChallenge } from "./www-authenticate";

/** Headers that every error and token response carries (RFC 6749 §5.1, §5.2). */
export const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" } as const;

/**
 * What a JSON error response says: RFC 6749 §5.2's `error` and `error_description`, an HTTP
 * status and extra headers. OAuthError has this shape, and so does the admin API's AdminError.
 */
export interface ErrorResponse {
  readonly error: string;
  readonly description: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
}

/** A protected resource's challenge parameters (RFC 6750 §3). */
export interface BearerRealm {
  realm?: string | undefined;
  /** The scopes the resource needs; named with insufficient_scope (RFC 6750 §3). */
  scope?: readonly string[];
  /** Name `scope` in every challenge, not only with insufficient_scope (RFC 6750 §3 allows it). */
  scopeInEveryChallenge?: boolean;
  /** Where the resource's metadata is (RFC 9728 §5.1); named in every challenge. */
  resourceMetadata?: string | undefined;
}

type BearerErrorCode = NonNullable<BearerChallenge["error"]>;

/** RFC 6750 §3.1: the error codes a Bearer challenge may carry. */
function isBearerError(code: string): code is BearerErrorCode {
  return code === "invalid_request" || code === "invalid_token" || code === "insufficient_scope";
}

/**
 * The one JSON error renderer: the body of RFC 6749 §5.2, never cached. For a protected resource
 * (`bearer` given) an RFC 6750 §3 error also carries its `WWW-Authenticate: Bearer` challenge.
 * It answers through the Hono context, so headers set on it (cookies) are kept.
 */
export function renderJsonError(c: Context, err: ErrorResponse, bearer?: BearerRealm): Response {
  const headers: Record<string, string> = { ...err.headers, ...NO_STORE };
  if (bearer !== undefined && isBearerError(err.error)) {
    headers["WWW-Authenticate"] = bearerChallenge({
      realm: bearer.realm,
      error: err.error,
      errorDescription: err.description,
      ...((err.error === "insufficient_scope" || bearer.scopeInEveryChallenge === true) && bearer.scope
        ? { scope: bearer.scope }
        : {}),
      ...(bearer.resourceMetadata !== undefined ? { resourceMetadata: bearer.resourceMetadata } : {}),
    });
  }
  const body = { error: err.error, error_description: err.description };
  return c.json(body, err.status as 400, headers);
}
