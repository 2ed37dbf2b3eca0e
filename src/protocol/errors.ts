/**
 * The error codes of OAuth 2.0 and its extensions. An OAuthError says what went wrong, never
 * where it is shown: the route group that catches it chooses (src/app.ts): JSON by default
 * (RFC 6749 §5.2, RFC 6750 §3; src/protocol/error-response.ts), and at the authorization
 * endpoint an HTML page until the client and redirect URI are validated, a redirect back to the
 * client after that (RFC 6749 §4.1.2.1; src/oauth/authorization-errors.ts).
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
  | "unsupported_token_type";

const DEFAULT_STATUS: Partial<Record<OAuthErrorCode, number>> = {
  invalid_client: 401,
  invalid_token: 401,
  insufficient_scope: 403,
  server_error: 500,
  temporarily_unavailable: 503,
};

export interface OAuthErrorOptions {
  status?: number;
  /** Extra response headers, e.g. `WWW-Authenticate` (RFC 6749 §5.2, RFC 6750 §3). */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class OAuthError extends Error {
  override readonly name = "OAuthError";
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
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
