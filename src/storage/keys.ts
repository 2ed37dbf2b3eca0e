import {
  createLocalJWKSet,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWTVerifyGetKey,
} from "jose";
import type { SigningAlg } from "../config";
import { b64u } from "../crypto/encoding";
import type { KeySet, StoredSigningKey } from "./key-store";
import type { Stores } from "./stores";

/**
 * The deployment's keys as this isolate uses them, read from the KeyStore Durable Object (binding
 * KEYS) and imported once. Token issuing (src/tokens/) and sealing (src/crypto/seal.ts) receive
 * these keys from their callers; only this module knows where they are kept.
 */

/** A private signing key with what a JWS header names: its `kid` and `alg`. */
export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  privateKey: CryptoKey;
}

/** The key set as this isolate uses it: private keys imported, JWKS and secrets decoded. */
interface IsolateKeys {
  signing: ReadonlyMap<SigningAlg, SigningKey>;
  jwks: JSONWebKeySet;
  /** jose's key selector over `jwks`, for verifying Gatehouse's own tokens locally. */
  verificationKeys: JWTVerifyGetKey;
  /** The "seal" secret as a non-extractable AES-GCM key (src/crypto/seal.ts). */
  sealKey: CryptoKey;
}

/**
 * The isolate's keys once loaded: every later request reuses them (DESIGN.md "The hot path":
 * keys are imported once per isolate, never per request).
 *
 * Only the settled value is shared ("check, then set"), never the in-flight load: on Workers a
 * request awaiting a promise whose I/O belongs to another request hangs if that request is
 * cancelled, and a cached pending promise would then hang every later request of the isolate.
 * So requests that arrive before the first load finishes each ask the KeyStore (which returns
 * the same key set to all), and a failed load caches nothing, so the next request retries.
 * An isolate serves one deployment, so one key set: apps built with other stores in the same
 * isolate (tests) share it.
 */
let isolateKeys: IsolateKeys | undefined;

async function loadKeys(stores: Stores): Promise<IsolateKeys> {
  if (isolateKeys) return isolateKeys;
  const loaded = await fetchAndImport(stores);
  isolateKeys ??= loaded;
  return isolateKeys;
}

async function fetchAndImport(stores: Stores): Promise<IsolateKeys> {
  const keySet: KeySet = await stores.KEYS.getByName("keys").getKeySet();
  const signing = new Map<SigningAlg, SigningKey>();
  for (const key of keySet.signingKeys) {
    if (!key.current) continue;
    const privateKey = await importJWK(key.privateJwk, key.alg);
    if (!(privateKey instanceof CryptoKey)) {
      throw new Error(`Signing key ${key.kid} is not asymmetric`);
    }
    signing.set(key.alg, { kid: key.kid, alg: key.alg, privateKey });
  }
  const jwks = { keys: keySet.signingKeys.map(publicJwk) };
  return {
    signing,
    jwks,
    verificationKeys: createLocalJWKSet(jwks),
    sealKey: await crypto.subtle.importKey(
      "raw",
      b64u.decode(keySet.secrets.seal) as Uint8Array<ArrayBuffer>,
      "AES-GCM",
      false,
      ["encrypt", "decrypt"],
    ),
  };
}

/**
 * The public half of a stored key: only the members RFC 7518 §6.2.1 / §6.3.1 define as public,
 * copied by name so no private member (d, p, q, dp, dq, qi) can slip through.
 */
function publicJwk(key: StoredSigningKey): JWK {
  const jwk = key.privateJwk;
  const members =
    jwk.kty === "EC"
      ? { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }
      : { kty: jwk.kty, n: jwk.n, e: jwk.e };
  return { ...members, kid: key.kid, alg: key.alg, use: "sig" };
}

/** The current private signing key for `alg` (imported once per isolate). */
export async function getSigningKey(stores: Stores, alg: SigningAlg): Promise<SigningKey> {
  const key = (await loadKeys(stores)).signing.get(alg);
  if (!key) throw new Error(`No current signing key for ${alg}`);
  return key;
}

/** Public keys only, one per algorithm, distinct kids (served at /jwks.json). */
export async function getPublicJwks(stores: Stores): Promise<JSONWebKeySet> {
  return (await loadKeys(stores)).jwks;
}

/**
 * Gatehouse's public keys as a jose key selector (createLocalJWKSet), built once per isolate:
 * verifying a token Gatehouse issued reads no storage.
 */
export async function getVerificationKeys(stores: Stores): Promise<JWTVerifyGetKey> {
  return (await loadKeys(stores)).verificationKeys;
}

/**
 * The deployment's 256-bit sealing key (AES-256-GCM, imported once per isolate, not
 * extractable): it encrypts authorization codes, login sessions and pending authorization
 * requests (src/crypto/seal.ts).
 */
export async function getSealKey(stores: Stores): Promise<CryptoKey> {
  return (await loadKeys(stores)).sealKey;
}
