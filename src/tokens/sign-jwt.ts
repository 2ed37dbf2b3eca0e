import { CompactSign } from "jose";
import { utf8 } from "../crypto/encoding";
import type { SigningKey } from "../storage/keys";

/**
 * Signs a JWT (RFC 7519 §7.1: the JSON claims set as the JWS payload, RFC 7515 compact
 * serialization) with `key`, naming its `alg` and `kid` and the token's explicit `typ`
 * (RFC 8725 §3.11). The same bytes as jose's SignJWT, whose claim-setting builder Gatehouse does
 * not use: every token sets its claims as one object.
 */
export function signJwt(key: SigningKey, typ: string, claims: object): Promise<string> {
  return new CompactSign(utf8(JSON.stringify(claims)))
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ })
    .sign(key.privateKey);
}
