// OWNER: lead (authorization endpoint). Sealed authorization codes.
/**
 * What an authorization code carries (RFC 6749 §4.1.2: bound to client, redirect URI, PKCE
 * challenge, user, scopes and nonce). The code is this payload, authenticated-encrypted with the
 * deployment's "seal" key, so issuing one needs no storage write; its single use is recorded by
 * the grant's Durable Object (named `grantId`) at redemption.
 */
export interface AuthorizationCodePayload {
  /** Code id (128+ random bits): the unit of single use. */
  codeId: string;
  /** Name of the grant's Durable Object (128+ random bits). */
  grantId: string;
  clientId: string;
  redirectUri: string;
  /** RFC 7636 S256 challenge. */
  codeChallenge: string;
  sub: string;
  scope: string[];
  resource: string[];
  nonce?: string;
  /** Seconds since the epoch when the user authenticated. */
  authTime: number;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export async function sealCode(
  _env: Env,
  _payload: AuthorizationCodePayload,
): Promise<string> {
  throw new Error("not implemented");
}

/** Opens a code; throws OAuthError invalid_grant when it is malformed, tampered with or expired. */
export async function openCode(_env: Env, _code: string): Promise<AuthorizationCodePayload> {
  throw new Error("not implemented");
}
