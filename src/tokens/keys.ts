// OWNER: helper B (tokens). Keys are created once by the KeyStore Durable Object and cached per isolate.
import type { JSONWebKeySet } from "jose";
import type { SigningAlg } from "../config";

export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  privateKey: CryptoKey;
}

/** The current private signing key for `alg` (imported once per isolate). */
export async function getSigningKey(_env: Env, _alg: SigningAlg): Promise<SigningKey> {
  throw new Error("not implemented");
}

/** Public keys only, one per algorithm, distinct kids (served at /jwks.json). */
export async function getPublicJwks(_env: Env): Promise<JSONWebKeySet> {
  throw new Error("not implemented");
}

/**
 * A 256-bit symmetric key for one purpose, shared by every isolate:
 * "seal" encrypts authorization codes and interaction state (A256GCM, dir);
 * "cookie" signs the session and CSRF cookies (HMAC).
 */
export async function getSecretKey(_env: Env, _purpose: "seal" | "cookie"): Promise<Uint8Array> {
  throw new Error("not implemented");
}
