// Gatehouse's own access tokens, read back by revocation and introspection.
import { compactVerify, type JWTVerifyGetKey } from "jose";
import { ACCESS_TOKEN_ALGS, ACCESS_TOKEN_TYP } from "../protocol/jwt-profile";
import type { AccessTokenPayload } from "./access-token";

/**
 * The claims of an access token that Gatehouse issued, whatever its expiry: the signature is
 * verified with `keys`, the isolate's public keys (src/storage/keys.ts: no storage read), the
 * header must say `at+jwt` (RFC 9068 §4) and `iss` must be this issuer. The audience is not
 * checked: revocation and introspection serve every resource server. Expiry is the caller's
 * decision (RFC 7009 §2.1 revokes any token; RFC 7662 §2.2 reports an expired one as inactive).
 * Anything else (malformed, foreign, forged, a refresh token) is null, never an error: both
 * endpoints answer 200 for it.
 */
export async function readOwnAccessToken(
  keys: JWTVerifyGetKey,
  token: string,
  issuer: string,
): Promise<AccessTokenPayload | null> {
  let payload: unknown;
  try {
    const verified = await compactVerify(token, keys, { algorithms: [...ACCESS_TOKEN_ALGS] });
    if (verified.protectedHeader.typ !== ACCESS_TOKEN_TYP) return null;
    payload = JSON.parse(new TextDecoder().decode(verified.payload));
  } catch {
    return null;
  }
  return isAccessTokenPayload(payload) && payload.iss === issuer ? payload : null;
}

function isAccessTokenPayload(value: unknown): value is AccessTokenPayload {
  if (typeof value !== "object" || value === null) return false;
  const claims = value as Record<string, unknown>;
  const aud = claims.aud;
  return (
    typeof claims.iss === "string" &&
    typeof claims.sub === "string" &&
    typeof claims.client_id === "string" &&
    typeof claims.scope === "string" &&
    typeof claims.iat === "number" &&
    typeof claims.exp === "number" &&
    typeof claims.jti === "string" &&
    // Absent on tokens no user granted (client credentials, RFC 6749 §4.4).
    (claims.grant_id === undefined || typeof claims.grant_id === "string") &&
    (claims.act === undefined || isActor(claims.act)) &&
    (typeof aud === "string" || (Array.isArray(aud) && aud.every((a) => typeof a === "string")))
  );
}

/** RFC 8693 §4.1: an `act` claim as Gatehouse writes it, earlier actors nested. */
function isActor(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const act = value as Record<string, unknown>;
  return (
    typeof act.sub === "string" &&
    typeof act.client_id === "string" &&
    (act.act === undefined || isActor(act.act))
  );
}
