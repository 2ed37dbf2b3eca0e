/**
 * The one error type of Gatehouse. Thrown anywhere, rendered in one place (src/http/on-error.ts):
 * as JSON (token, revocation, introspection, registration, admin endpoints: RFC 6749 §5.2),
 * as a redirect back to the client (authorization endpoint after the client and redirect URI
 * were validated: RFC 6749 §4.1.2.1), or as an HTML page (authorization endpoint before that).
 */
export type OAuthErrorCode =
  // RFC 6749 §4.1.2.1 and §5.2
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "unsupported_response_type"
  | "invalid_scope"
  | "access_denied"
  | "server_error"
  | "temporarily_unavailable"
  // OpenID Connect Core §3.1.2.6
  | "login_required"
  | "consent_required"
  | "interaction_required"
  | "invalid_request_object"
  | "request_not_supported"
  | "request_uri_not_supported"
  // RFC 8707 §2
  | "invalid_target"
  // RFC 6750 §3.1
  | "invalid_token"
  | "insufficient_scope"
  // RFC 7591 §3.2.2
  | "invalid_redirect_uri"
  | "invalid_client_metadata"
  // RFC 7009 §2.2.1
  | "unsupported_token_type"
  // Admin API (not OAuth, same shape)
  | "not_found"
  | "unauthorized"
  | "conflict";

/** Where the error goes. */
export type ErrorRendering =
  | { readonly kind: "json" }
  | { readonly kind: "page" }
  | {
      readonly kind: "redirect";
      /** The validated redirect URI of the authorization request. */
      readonly redirectUri: string;
      readonly state: string | undefined;
      /** 303 after a form POST (the browser must GET the client's URI), 302 otherwise. */
      readonly status: 302 | 303;
    };

const DEFAULT_STATUS: Partial<Record<OAuthErrorCode, number>> = {
  invalid_client: 401,
  invalid_token: 401,
  unauthorized: 401,
  insufficient_scope: 403,
  not_found: 404,
  conflict: 409,
  server_error: 500,
  temporarily_unavailable: 503,
};

export interface OAuthErrorOptions {
  status?: number;
  /** Extra response headers, e.g. `WWW-Authenticate` (RFC 6749 §5.2, RFC 6750 §3). */
  headers?: Record<string, string>;
  rendering?: ErrorRendering;
  cause?: unknown;
}

export class OAuthError extends Error {
  override readonly name = "OAuthError";
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly rendering: ErrorRendering;
  readonly description: string;

  constructor(
    readonly error: OAuthErrorCode,
    description: string,
    options: OAuthErrorOptions = {},
  ) {
    super(`${error}: ${description}`, { cause: options.cause });
    this.description = errorDescription(description);
    this.status = options.status ?? DEFAULT_STATUS[error] ?? 400;
    this.headers = options.headers ?? {};
    this.rendering = options.rendering ?? { kind: "json" };
  }

  /** The same error, rendered differently (used by the authorization endpoint). */
  renderAs(rendering: ErrorRendering): OAuthError {
    return new OAuthError(this.error, this.description, {
      status: this.status,
      headers: { ...this.headers },
      rendering,
      cause: this.cause,
    });
  }

  toJSON(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

/**
 * RFC 6749 §4.1.2.1, §5.2: error_description is limited to %x20-21 / %x23-5B / %x5D-7E, so
 * quotes and backslashes become harmless look-alikes and anything else outside printable ASCII
 * is dropped; it is kept short, since it travels in a redirect URL.
 */
function errorDescription(text: string): string {
  return text
    .replaceAll('"', "'")
    .replaceAll("\\", "/")
    .replace(/[^\x20-\x7E]/g, "")
    .slice(0, 300);
}
