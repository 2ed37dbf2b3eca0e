import { compactVerify, type JWTVerifyGetKey } from "jose";
import { OAuthError } from "../protocol/errors";
import { ID_TOKEN_ALG } from "./id-token";

/** What a verified `id_token_hint` says: whom it names and for which clients it was issued. */
export interface IdTokenHint {
  sub: string;
  /** The `aud` claim as a list (OIDC Core §2: a string or an array). */
  audience: string[];
  /** The OP session id, when the ID token carried one (Back-Channel Logout §2.1). */
  sid?: string;
}

/**
 * An ID token Gatehouse issued (OIDC Core §3.1.2.1, RP-Initiated Logout §2): its signature and
 * issuer are checked; its expiry is not ("the ID Token need not be unexpired"; RP-Initiated Logout
 * §2 asks the OP to accept expired ones). Anything else, including an access token, is
 * invalid_request. `keys` are Gatehouse's public keys (src/storage/keys.ts getVerificationKeys).
 */
export async function verifyIdTokenHint(
  keys: JWTVerifyGetKey,
  hint: string,
  issuer: string,
): Promise<IdTokenHint> {
  const invalid = () => new OAuthError("invalid_request", "The id_token_hint is not valid");
  let payload: unknown;
  try {
    // jose checks the header's alg against `algorithms` before it asks for the key; an access
    // token (typ at+jwt, RFC 9068 §2.1) is refused there too, before any signature is checked.
    const verified = await compactVerify(
      hint,
      (header, token) => {
        if (header.typ === "at+jwt") throw invalid();
        return keys(header, token);
      },
      { algorithms: [ID_TOKEN_ALG] },
    );
    payload = JSON.parse(new TextDecoder().decode(verified.payload));
  } catch {
    throw invalid();
  }
  if (typeof payload !== "object" || payload === null) throw invalid();
  const claims = payload as { iss?: unknown; aud?: unknown; sub?: unknown; sid?: unknown };
  const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (
    claims.iss !== issuer ||
    typeof claims.sub !== "string" ||
    audience.length === 0 ||
    !audience.every((a): a is string => typeof a === "string")
  ) {
    throw invalid();
  }
  return {
    sub: claims.sub,
    audience,
    ...(typeof claims.sid === "string" ? { sid: claims.sid } : {}),
  };
}

/**
 * The subject of an `id_token_hint` (OIDC Core §3.1.2.1): an ID token Gatehouse issued to this
 * client earlier (verifyIdTokenHint, and `clientId` among its audience).
 */
export async function idTokenHintSubject(
  keys: JWTVerifyGetKey,
  hint: string,
  issuer: string,
  clientId: string,
): Promise<string> {
  const verified = await verifyIdTokenHint(keys, hint, issuer);
  if (!verified.audience.includes(clientId)) {
    throw new OAuthError("invalid_request", "The id_token_hint is not valid");
  }
  return verified.sub;
}
