/**
 * Access tokens signed directly, with Gatehouse's key or a forger's: the one fixture that mints
 * an internal format, because the tests of token verification (the protected API, userinfo,
 * introspection, revocation) must send exactly one violation at a time, which no public flow
 * issues. Every valid token a test needs comes from the public flow (./grants.ts, ./browser.ts).
 */
import { SignJWT, type JWTHeaderParameters, type JWTPayload } from "jose";
import type { SigningAlg } from "../../src/config";
import { b64u } from "../../src/crypto/encoding";
import { randomToken } from "../../src/crypto/random";
import { getSigningKey, type SigningKey } from "../../src/storage/keys";
import { ORIGIN } from "./http";

export interface SignedTokenOptions {
  alg?: SigningAlg;
  /** Sign with this key instead of Gatehouse's (a forger's key, say). */
  key?: SigningKey;
  /** Header parameters replacing the RFC 9068 defaults (typ at+jwt, the key's alg and kid). */
  header?: Partial<JWTHeaderParameters>;
  /** Claims replacing the defaults; a claim set to undefined is left out. */
  claims?: JWTPayload;
}

/**
 * A token signed with Gatehouse's own key, valid for the example API (issuer and audience
 * ORIGIN) unless `options` change it: lets a test send exactly one violation at a time.
 */
export async function signedToken(env: Env, options: SignedTokenOptions = {}): Promise<string> {
  const key = options.key ?? (await getSigningKey(env, options.alg ?? "ES256"));
  const claims: JWTPayload = { ...validClaims(), ...options.claims };
  for (const [name, value] of Object.entries(claims)) {
    if (value === undefined) delete claims[name];
  }
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "at+jwt", ...options.header })
    .sign(key.privateKey);
}

/** The claims of a valid access token for the example API, issued now. */
export function validClaims(): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: ORIGIN,
    sub: "user-1",
    aud: ORIGIN,
    client_id: "client-1",
    scope: "openid profile",
    iat: now,
    exp: now + 600,
    jti: randomToken(16),
  };
}

/** An unsecured JWT (RFC 7519 §6: alg "none", empty signature) with the given claims. */
export function unsecuredToken(claims: JWTPayload, typ = "at+jwt"): string {
  const part = (o: object) => b64u.encode(JSON.stringify(o));
  return `${part({ alg: "none", typ })}.${part(claims)}.`;
}
