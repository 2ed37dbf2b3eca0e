import { randomToken } from "../crypto/random";
import { ACCESS_TOKEN_TYP } from "../protocol/jwt-profile";
import type { SigningKey } from "../storage/keys";
import { signJwt } from "./sign-jwt";

export interface AccessTokenClaims {
  issuer: string;
  sub: string;
  clientId: string;
  /** Granted scopes. */
  scope: readonly string[];
  /** RFC 8707 resources; empty: the issuer itself is the audience (Gatehouse's own APIs). */
  audience: readonly string[];
  authTime?: number;
  /**
   * The grant (Durable Object name) the token belongs to; lets introspection ask it later.
   * Absent for a token no user granted (client credentials, RFC 6749 §4.4).
   */
  grantId?: string;
  /** RFC 8693 §4.1: the party acting for `sub` (token exchange), with any earlier actors nested. */
  act?: ActorClaim;
}

/** RFC 8693 §4.1 `act`: the current actor, the previous one nested inside. */
export interface ActorClaim {
  sub: string;
  client_id: string;
  act?: ActorClaim;
}

export interface IssuedAccessToken {
  token: string;
  expiresIn: number;
}

/**
 * The JWT claims set of an access token (RFC 9068 §2.2). `grant_id` is a private claim
 * (RFC 7519 §4.3): the grant's Durable Object name, so introspection and revocation can find the
 * grant from the token alone. It is an identifier, not a credential.
 */
export interface AccessTokenPayload {
  iss: string;
  sub: string;
  aud: string | string[];
  client_id: string;
  scope: string;
  iat: number;
  exp: number;
  jti: string;
  auth_time?: number;
  grant_id?: string;
  act?: ActorClaim;
}

/**
 * Issues an RFC 9068 access token signed with `key` (its alg is ACCESS_TOKEN_ALG, ES256 by
 * default) that lives `ttlSeconds`. The caller passes both (the key comes from the isolate's
 * cache, src/storage/keys.ts): no storage read and no configuration read per token.
 */
export async function issueAccessToken(
  key: SigningKey,
  ttlSeconds: number,
  claims: AccessTokenClaims,
): Promise<IssuedAccessToken> {
  const iat = Math.floor(Date.now() / 1000);
  const payload: AccessTokenPayload = {
    iss: claims.issuer,
    sub: claims.sub,
    aud: audienceClaim(claims.audience, claims.issuer),
    client_id: claims.clientId,
    // RFC 9068 §2.2.3: space-delimited, as in RFC 6749 §3.3.
    scope: claims.scope.join(" "),
    iat,
    exp: iat + ttlSeconds,
    jti: randomToken(16),
    ...(claims.authTime === undefined ? {} : { auth_time: claims.authTime }),
    ...(claims.grantId === undefined ? {} : { grant_id: claims.grantId }),
    ...(claims.act === undefined ? {} : { act: claims.act }),
  };
  const token = await signJwt(key, ACCESS_TOKEN_TYP, payload);
  return { token, expiresIn: ttlSeconds };
}

/**
 * RFC 9068 §3: the audience is the requested resource(s); without a resource indicator the
 * token is for the authorization server's own APIs, so the issuer is the audience. One audience
 * is a plain string (RFC 7519 §4.1.3 allows both forms; single-valued is the common case).
 */
function audienceClaim(audience: readonly string[], issuer: string): string | string[] {
  if (audience.length === 0) return issuer;
  if (audience.length === 1) return audience[0]!;
  return [...audience];
}
