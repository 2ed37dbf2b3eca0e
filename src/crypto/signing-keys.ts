import type { JWK } from "jose";
import { b64u, utf8 } from "./encoding";

/**
 * The JWS algorithms Gatehouse signs with and their WebCrypto parameters (RFC 7518 §3.3 RS256:
 * RSASSA-PKCS1-v1_5 with SHA-256; §3.4 ES256: ECDSA on P-256 with SHA-256). jose signs and
 * verifies; key generation, export and import are single WebCrypto calls, made here directly
 * so the bundle carries no general JWK import code for algorithms Gatehouse never uses.
 */
const IMPORT_PARAMS = {
  ES256: { name: "ECDSA", namedCurve: "P-256" },
  RS256: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
} as const;

export type SigningKeyAlg = keyof typeof IMPORT_PARAMS;

/** RFC 7518 §3.3: a key of 2048 bits or larger MUST be used with RS256. */
const RSA_MODULUS_BITS = 2048;
const RSA_PUBLIC_EXPONENT = new Uint8Array([1, 0, 1]);

/**
 * A fresh key pair for `alg`, as a private JWK (no `ext`, `key_ops` or `alg`: the caller names
 * the algorithm) with its RFC 7638 thumbprint.
 */
export async function generateSigningJwk(
  alg: SigningKeyAlg,
): Promise<{ jwk: JWK; thumbprint: string }> {
  const params =
    alg === "RS256"
      ? {
          ...IMPORT_PARAMS.RS256,
          modulusLength: RSA_MODULUS_BITS,
          publicExponent: RSA_PUBLIC_EXPONENT,
        }
      : IMPORT_PARAMS.ES256;
  const { privateKey } = (await crypto.subtle.generateKey(params, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const { ext: _ext, key_ops: _ops, alg: _alg, ...jwk } = (await crypto.subtle.exportKey(
    "jwk",
    privateKey,
  )) as JsonWebKey;
  return { jwk: jwk as JWK, thumbprint: await jwkThumbprint(jwk as JWK) };
}

/** A stored private JWK as a non-extractable signing key. */
export async function importSigningKey(jwk: JWK, alg: SigningKeyAlg): Promise<CryptoKey> {
  // kid, alg and use are JOSE members WebCrypto does not need (and may refuse).
  const { kid: _kid, alg: _alg, use: _use, ...material } = jwk;
  return crypto.subtle.importKey("jwk", material as JsonWebKey, IMPORT_PARAMS[alg], false, [
    "sign",
  ]);
}

/**
 * RFC 7638 §3 JWK thumbprint (SHA-256, base64url): the required public members only (§3.2:
 * crv, kty, x, y for EC; e, kty, n for RSA), in lexicographic order, without whitespace.
 */
export async function jwkThumbprint(jwk: JWK): Promise<string> {
  const required =
    jwk.kty === "EC"
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
      : jwk.kty === "RSA"
        ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
        : undefined;
  if (!required || Object.values(required).some((m) => typeof m !== "string" || m === "")) {
    throw new TypeError(`No RFC 7638 thumbprint for this ${String(jwk.kty)} key`);
  }
  const digest = await crypto.subtle.digest("SHA-256", utf8(JSON.stringify(required)));
  return b64u.encode(new Uint8Array(digest));
}
