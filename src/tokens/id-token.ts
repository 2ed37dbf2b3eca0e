// OWNER: helper B (tokens). OpenID Connect Core §2 ID tokens.
export interface IdTokenClaims {
  issuer: string;
  sub: string;
  clientId: string;
  authTime: number;
  nonce?: string;
  /** The access token issued beside it, for `at_hash` (OIDC Core §3.1.3.6). */
  accessToken?: string;
  /** Standard claims released by scope (profile: name; email: email). */
  claims?: Record<string, string>;
}

/** Signs an ID token with RS256 (OIDC's default `id_token_signed_response_alg`). */
export async function issueIdToken(_env: Env, _claims: IdTokenClaims): Promise<string> {
  throw new Error("not implemented");
}
