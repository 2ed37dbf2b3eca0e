import { b64u, utf8 } from "../crypto/encoding";
import type { SigningKey } from "../storage/keys";
import { signJwt } from "./sign-jwt";

/** A JSON value a standard claim may take (OIDC Core §5.1: strings, booleans, numbers). */
export type StandardClaimValue = string | number | boolean;

export interface IdTokenClaims {
  issuer: string;
  sub: string;
  clientId: string;
  authTime: number;
  /** RFC 8176 authentication method references; omitted when unknown or empty. */
  amr?: readonly string[] | undefined;
  /** Authentication context class reference; omitted when none was stated. */
  acr?: string | undefined;
  nonce?: string;
  /** The access token issued beside it, for `at_hash` (OIDC Core §3.1.3.6). */
  accessToken?: string;
  /** Standard claims released by scope (profile: name; email: email). */
  claims?: Record<string, StandardClaimValue>;
}

/** RS256: the default `id_token_signed_response_alg` (OIDC Dynamic Client Registration §2). */
export const ID_TOKEN_ALG = "RS256";

/**
 * Signs an ID token with `key` (an ID_TOKEN_ALG key: RS256, OIDC's default
 * `id_token_signed_response_alg`) that lives `ttlSeconds`; the caller passes both.
 */
export async function issueIdToken(
  key: SigningKey,
  ttlSeconds: number,
  claims: IdTokenClaims,
): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  const payload = {
    ...releasedClaims(claims.claims),
    // OIDC Core §2: iss, sub, aud, exp, iat are required; auth_time since we always know it.
    iss: claims.issuer,
    sub: claims.sub,
    // One audience, so no azp is needed (OIDC Core §2: azp only for multiple audiences).
    aud: claims.clientId,
    iat,
    exp: iat + ttlSeconds,
    auth_time: claims.authTime,
    // OIDC Core §2: amr and acr say how the user authenticated; omitted rather than guessed.
    ...(claims.amr === undefined || claims.amr.length === 0 ? {} : { amr: [...claims.amr] }),
    ...(claims.acr === undefined ? {} : { acr: claims.acr }),
    ...(claims.nonce === undefined ? {} : { nonce: claims.nonce }),
    ...(claims.accessToken === undefined
      ? {}
      : { at_hash: await accessTokenHash(claims.accessToken) }),
  };
  return signJwt(key, "JWT", payload);
}

/** Claims the ID token sets itself (RFC 7519 §4.1, OIDC Core §2); released claims never do. */
const PROTOCOL_CLAIMS = new Set([
  "iss", "sub", "aud", "exp", "iat", "nbf", "jti", "auth_time", "nonce", "acr", "amr", "azp",
  "at_hash", "c_hash",
]);

function releasedClaims(
  claims: Record<string, StandardClaimValue> | undefined,
): Record<string, StandardClaimValue> {
  if (!claims) return {};
  return Object.fromEntries(Object.entries(claims).filter(([name]) => !PROTOCOL_CLAIMS.has(name)));
}

/**
 * OIDC Core §3.1.3.6: the left-most half of the hash of the access token's ASCII octets,
 * base64url-encoded, with the hash of the ID token's `alg` (SHA-256 for RS256 and ES256).
 */
export async function accessTokenHash(accessToken: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", utf8(accessToken)));
  return b64u.encode(digest.slice(0, digest.length / 2));
}
