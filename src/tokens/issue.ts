// The one place that turns a grant decision into a token response; every grant type calls it.
import { formatScope } from "../protocol/scope";
import type { SigningKey } from "../storage/keys";
import type { UserRecord } from "../storage/users";
import { type ActorClaim, issueAccessToken } from "./access-token";
import { type StandardClaimValue, issueIdToken } from "./id-token";

/** RFC 6749 §5.1 successful token response. */
export interface TokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  /** Always present, so the client need not assume it got what it asked for (RFC 6749 §5.1). */
  scope: string;
  refresh_token?: string;
  id_token?: string;
  /** RFC 8693 §2.2.1: what a token exchange issued. */
  issued_token_type?: string;
}

/**
 * The keys and the lifetime token issuing works with, passed in by the caller
 * (src/oauth/token-signing.ts builds them from the configuration and the isolate's key cache):
 * issuing reads neither configuration nor storage.
 */
export interface TokenSigning {
  /** Signs access tokens (ACCESS_TOKEN_ALG). */
  accessTokenKey: SigningKey;
  /** Signs ID tokens (ID_TOKEN_ALG, RS256). */
  idTokenKey: SigningKey;
  /** Lifetime of the access token, and of the ID token beside it (seconds). */
  accessTokenTtl: number;
}

export interface TokenIssuance {
  issuer: string;
  /** The grant the tokens belong to (its Durable Object name); none for client credentials. */
  grantId?: string;
  clientId: string;
  sub: string;
  /** Scopes of these tokens: the grant's, or a subset asked for at refresh (RFC 6749 §6). */
  scope: readonly string[];
  /** RFC 8707 resources: the access token's audience. Empty: the issuer's own APIs. */
  resource: readonly string[];
  /** Seconds since the epoch when the user authenticated. */
  authTime?: number;
  /** How the user authenticated, for the ID token (OIDC Core §2). */
  amr?: readonly string[] | undefined;
  acr?: string | undefined;
  /** OIDC nonce; only at the code exchange (OIDC Core §3.1.3.6, §12.2). */
  nonce?: string;
  /** The user, for the ID token's standard claims. */
  user?: UserRecord;
  /** The refresh token to return beside the access token. */
  refreshToken?: IssuedRefreshToken;
  /** RFC 8693 §4.1: the actor of a token exchange. */
  act?: ActorClaim;
  /** RFC 8693 §2.2.1 `issued_token_type`, for a token exchange's response. */
  issuedTokenType?: string;
}

export interface IssuedRefreshToken {
  token: string;
  /** SHA-256 of the token, as the grant knows it. */
  hash: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

/**
 * Signs the access token and, when `openid` was granted, the ID token (OIDC Core §3.1.3.3), and
 * shapes the RFC 6749 §5.1 response. It writes nothing: the grant modules return its result only
 * once the grant's Durable Object has accepted.
 */
export async function issueTokens(
  signing: TokenSigning,
  issuance: TokenIssuance,
): Promise<TokenResponse> {
  const access = await issueAccessToken(signing.accessTokenKey, signing.accessTokenTtl, {
    issuer: issuance.issuer,
    sub: issuance.sub,
    clientId: issuance.clientId,
    scope: issuance.scope,
    audience: issuance.resource,
    ...(issuance.grantId === undefined ? {} : { grantId: issuance.grantId }),
    ...(issuance.act === undefined ? {} : { act: issuance.act }),
    ...(issuance.authTime === undefined ? {} : { authTime: issuance.authTime }),
  });
  const response: TokenResponse = {
    access_token: access.token,
    ...(issuance.issuedTokenType === undefined ? {} : { issued_token_type: issuance.issuedTokenType }),
    token_type: "Bearer",
    expires_in: access.expiresIn,
    scope: formatScope(issuance.scope),
  };
  if (issuance.refreshToken !== undefined) response.refresh_token = issuance.refreshToken.token;
  if (issuance.scope.includes("openid") && issuance.authTime !== undefined) {
    // Same lifetime as the access token it accompanies.
    response.id_token = await issueIdToken(signing.idTokenKey, signing.accessTokenTtl, {
      issuer: issuance.issuer,
      sub: issuance.sub,
      clientId: issuance.clientId,
      authTime: issuance.authTime,
      amr: issuance.amr,
      acr: issuance.acr,
      accessToken: access.token,
      ...(issuance.nonce === undefined ? {} : { nonce: issuance.nonce }),
      ...(issuance.user === undefined
        ? {}
        : { claims: standardClaims(issuance.user, issuance.scope) }),
    });
  }
  return response;
}

/**
 * OIDC Core §5.4: the standard claims each scope releases, as far as Gatehouse knows them.
 * (email_verified is not claimed: Gatehouse does not verify addresses.)
 */
export function standardClaims(
  user: UserRecord,
  scope: readonly string[],
): Record<string, StandardClaimValue> {
  const claims: Record<string, StandardClaimValue> = {};
  if (scope.includes("profile")) {
    claims.preferred_username = user.username;
    if (user.name !== undefined) claims.name = user.name;
  }
  if (scope.includes("email") && user.email !== undefined) claims.email = user.email;
  return claims;
}
