/**
 * The `WWW-Authenticate: Bearer` challenge of RFC 6750 §3, with RFC 9728 §5.1's
 * `resource_metadata`.
 */
export interface BearerChallenge {
  realm?: string;
  /** Absent when the request carried no token (RFC 6750 §3.1: then no error code). */
  error?: "invalid_request" | "invalid_token" | "insufficient_scope";
  errorDescription?: string;
  /** The scopes the resource needs (RFC 6750 §3, with insufficient_scope). */
  scope?: readonly string[];
  /** The URL of the resource's protected resource metadata (RFC 9728 §5.1). */
  resourceMetadata?: string;
}

export function bearerChallenge(challenge: BearerChallenge): string {
  const params: string[] = [];
  if (challenge.realm !== undefined) params.push(`realm=${quoted(challenge.realm)}`);
  if (challenge.error !== undefined) params.push(`error=${quoted(challenge.error)}`);
  if (challenge.errorDescription !== undefined) {
    params.push(`error_description=${quoted(challenge.errorDescription)}`);
  }
  if (challenge.scope !== undefined && challenge.scope.length > 0) {
    params.push(`scope=${quoted(challenge.scope.join(" "))}`);
  }
  if (challenge.resourceMetadata !== undefined) {
    params.push(`resource_metadata=${quoted(challenge.resourceMetadata)}`);
  }
  return params.length === 0 ? "Bearer" : `Bearer ${params.join(", ")}`;
}

/**
 * RFC 6750 §3: attribute values are quoted strings limited to %x20-21 / %x23-5B / %x5D-7E,
 * so `"`, `\` and anything outside printable ASCII are dropped rather than escaped.
 */
function quoted(value: string): string {
  return `"${value.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, "")}"`;
}
