import { jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import {
  JOSEAlgNotAllowed,
  JOSEError,
  JWKSInvalid,
  JWKSMultipleMatchingKeys,
  JWKSNoMatchingKey,
  JWKSTimeout,
  JWSSignatureVerificationFailed,
  JWTClaimValidationFailed,
  JWTExpired,
} from "jose/errors";
import { OAuthError } from "../protocol/errors";
import { ACCESS_TOKEN_ALGS, ACCESS_TOKEN_TYP } from "../protocol/jwt-profile";

/**
 * Verifies RFC 9068 access tokens for a resource server. Depends on jose and OAuthError only,
 * so that other Workers can import it through src/resource/index.ts.
 */

/** Default leeway for exp/iat between Gatehouse's clock and the resource server's. */
const DEFAULT_CLOCK_TOLERANCE_SECONDS = 5;

export interface VerifyAccessTokenOptions {
  /** The expected `iss`, or the issuers trusted here (RFC 9068 §4: MUST match exactly). */
  issuer: string | readonly string[];
  /** This resource server's identifier(s); `aud` must contain one (RFC 9068 §4). */
  audience: string | readonly string[];
  /** Where verification keys come from: jose createRemoteJWKSet or createLocalJWKSet. */
  keys: JWTVerifyGetKey;
  /** Scopes the request needs; missing ones give insufficient_scope (RFC 6750 §3.1). */
  requiredScopes?: readonly string[];
  clockTolerance?: number;
}

export interface VerifiedAccessToken {
  sub: string;
  clientId: string;
  /** The `scope` claim, split (RFC 9068 §2.2.3). */
  scopes: string[];
  /** The whole verified claims set, e.g. for `auth_time` or `jti`. */
  claims: JWTPayload;
}

/**
 * Validates an access token as RFC 9068 §4 asks: explicit typ "at+jwt", an allowed algorithm,
 * a valid signature from the issuer's keys, `iss`, `aud`, `exp`. Any failure is `invalid_token`
 * (401); a valid token lacking a required scope is `insufficient_scope` (403). RFC 6750 §3.1.
 */
export async function verifyAccessToken(
  token: string,
  options: VerifyAccessTokenOptions,
): Promise<VerifiedAccessToken> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, options.keys, {
      typ: ACCESS_TOKEN_TYP,
      issuer: typeof options.issuer === "string" ? options.issuer : [...options.issuer],
      audience: typeof options.audience === "string" ? options.audience : [...options.audience],
      // Only Gatehouse's algorithms; anything else, "none" included, is refused (RFC 8725 §3.1).
      algorithms: [...ACCESS_TOKEN_ALGS],
      clockTolerance: options.clockTolerance ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
      // RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat, jti are REQUIRED.
      requiredClaims: ["iss", "exp", "aud", "sub", "client_id", "iat", "jti"],
    }));
  } catch (err) {
    throw toOAuthError(err);
  }

  const { sub, client_id: clientId, scope } = payload;
  if (typeof sub !== "string" || typeof clientId !== "string") {
    throw invalidToken("The access token's sub or client_id is not a string");
  }
  if (scope !== undefined && typeof scope !== "string") {
    throw invalidToken("The access token's scope is not a string");
  }
  const scopes = scope ? scope.split(" ").filter(Boolean) : [];

  const missing = (options.requiredScopes ?? []).filter((s) => !scopes.includes(s));
  if (missing.length > 0) {
    throw new OAuthError(
      "insufficient_scope",
      `The access token lacks the required scope: ${missing.join(" ")}`,
    );
  }
  return { sub, clientId, scopes, claims: payload };
}

function invalidToken(description: string, cause?: unknown): OAuthError {
  return new OAuthError("invalid_token", description, { cause });
}

/** Says what was wrong without echoing token contents back. */
function toOAuthError(err: unknown): OAuthError {
  if (err instanceof JWTExpired) return invalidToken("The access token expired", err);
  if (err instanceof JWTClaimValidationFailed) {
    return invalidToken(`The access token's ${err.claim} is not valid here`, err);
  }
  if (err instanceof JOSEAlgNotAllowed) {
    return invalidToken("The access token's algorithm is not allowed", err);
  }
  if (err instanceof JWSSignatureVerificationFailed) {
    return invalidToken("The access token's signature is not valid", err);
  }
  if (err instanceof JWKSNoMatchingKey || err instanceof JWKSMultipleMatchingKeys) {
    return invalidToken("The access token was not signed by a key of the issuer", err);
  }
  if (err instanceof JWKSTimeout || err instanceof JWKSInvalid) {
    // The issuer's key set could not be read: our problem, not the client's token.
    return new OAuthError("temporarily_unavailable", "The issuer's keys are unavailable", {
      status: 503,
      cause: err,
    });
  }
  if (err instanceof JOSEError) return invalidToken("The access token is malformed", err);
  // Anything else (a failed JWKS fetch, a runtime error) is not the token's fault.
  return new OAuthError("temporarily_unavailable", "The access token cannot be verified now", {
    status: 503,
    cause: err,
  });
}
