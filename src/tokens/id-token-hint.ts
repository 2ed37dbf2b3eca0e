import { compactVerify, decodeProtectedHeader, type JWTVerifyGetKey } from "jose";
import { OAuthError } from "../protocol/errors";
import { ID_TOKEN_ALG } from "./id-token";

/**
 * The subject of an `id_token_hint` (OIDC Core §3.1.2.1): an ID token Gatehouse issued to this
 * client earlier. Its signature, issuer and audience are checked; its expiry is not ("the ID
 * Token need not be unexpired"). Anything else, including an access token, is invalid_request.
 * `keys` are Gatehouse's public keys (src/storage/keys.ts getVerificationKeys).
 */
export async function idTokenHintSubject(
  keys: JWTVerifyGetKey,
  hint: string,
  issuer: string,
  clientId: string,
): Promise<string> {
  const invalid = () => new OAuthError("invalid_request", "The id_token_hint is not valid");
  let payload: unknown;
  try {
    const header = decodeProtectedHeader(hint);
    if (header.alg !== ID_TOKEN_ALG || header.typ === "at+jwt") throw invalid();
    const verified = await compactVerify(hint, keys, {
      algorithms: [ID_TOKEN_ALG],
    });
    payload = JSON.parse(new TextDecoder().decode(verified.payload));
  } catch {
    throw invalid();
  }
  if (typeof payload !== "object" || payload === null) throw invalid();
  const claims = payload as { iss?: unknown; aud?: unknown; sub?: unknown };
  const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (claims.iss !== issuer || !audience.includes(clientId) || typeof claims.sub !== "string") {
    throw invalid();
  }
  return claims.sub;
}
