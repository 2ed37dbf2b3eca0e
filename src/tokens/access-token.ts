// OWNER: helper B (tokens). RFC 9068 JWT access tokens.
export interface AccessTokenClaims {
  issuer: string;
  sub: string;
  clientId: string;
  /** Granted scopes. */
  scope: readonly string[];
  /** RFC 8707 resources; empty: the issuer itself is the audience (Gatehouse's own APIs). */
  audience: readonly string[];
  authTime?: number;
  /** The grant (Durable Object name) the token belongs to; lets introspection ask it later. */
  grantId: string;
}

export interface IssuedAccessToken {
  token: string;
  expiresIn: number;
}

export async function issueAccessToken(
  _env: Env,
  _claims: AccessTokenClaims,
): Promise<IssuedAccessToken> {
  throw new Error("not implemented");
}
