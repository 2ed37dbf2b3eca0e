import { createLocalJWKSet, type JSONWebKeySet, type JWK, type JWTVerifyGetKey } from "jose";
import type { SigningAlg } from "../config";
import { b64u } from "../crypto/encoding";
import type { SealKeys } from "../crypto/seal";
import { importSigningKey } from "../crypto/signing-keys";
import {
  ISOLATE_KEYS_TTL_SECONDS,
  type KeySet,
  type RotationResult,
  type RotationTooSoon,
  type StoredSigningKey,
} from "./key-store";

export { JWKS_MAX_AGE_SECONDS } from "./key-store";
import type { Stores } from "./stores";

/**
 * The deployment's keys as this isolate uses them, read from the KeyStore Durable Object (binding
 * KEYS) and imported once per key. Token issuing (src/tokens/) and sealing (src/crypto/seal.ts)
 * receive these keys from their callers; only this module knows where they are kept.
 */

/** A private signing key with what a JWS header names: its `kid` and `alg`. */
export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  privateKey: CryptoKey;
}

/** The key set as this isolate uses it: private keys imported, JWKS and secrets decoded. */
interface IsolateKeys {
  /** The current key of each algorithm: the only ones that sign. */
  signing: ReadonlyMap<SigningAlg, SigningKey>;
  /** next + current + retired, public members only. */
  jwks: JSONWebKeySet;
  /** jose's key selector over `jwks`, for verifying Gatehouse's own tokens locally. */
  verificationKeys: JWTVerifyGetKey;
  /** The sealing keys as non-extractable AES-GCM keys (src/crypto/seal.ts). */
  sealKeys: SealKeys;
}

/**
 * The isolate's keys once loaded, reused for ISOLATE_KEYS_TTL_SECONDS (DESIGN.md "The hot path":
 * keys are imported once per isolate, never per request; a rotation reaches every isolate within
 * that TTL, which costs one KeyStore round trip per isolate per minute). Why a short TTL is safe:
 * a key is published as `next` (in every isolate's set and the JWKS) a whole rotation period
 * before it can become current, so an isolate whose set is a minute old already knows, and
 * verifies and opens with, the key a fresher isolate signs or seals with; and a retired key is
 * kept in the KeyStore for its products' lifetime plus this TTL (key-store.ts retentionSeconds).
 *
 * Only the settled value is shared ("check, then set"), never the in-flight load: on Workers a
 * request awaiting a promise whose I/O belongs to another request hangs if that request is
 * cancelled, and a cached pending promise would then hang every later request of the isolate.
 * So requests that arrive while a load is under way each ask the KeyStore (which returns the
 * same key set to all), and a failed load caches nothing, so the next request retries (meanwhile
 * a stale set keeps serving). An isolate serves one deployment, so one key set: apps built with
 * other stores in the same isolate (tests) share it.
 */
let isolateKeys: { keys: IsolateKeys; loadedAt: number } | undefined;

/** Imported keys by kid, reused across reloads: a reload imports only keys it has not seen. */
const imported = new Map<string, CryptoKey>();

async function loadKeys(stores: Stores): Promise<IsolateKeys> {
  const cached = isolateKeys;
  if (cached && Date.now() - cached.loadedAt < ISOLATE_KEYS_TTL_SECONDS * 1000) return cached.keys;
  try {
    return await reload(stores);
  } catch (err) {
    // The KeyStore is unreachable: a stale set still signs with keys the JWKS publishes.
    if (cached) return cached.keys;
    throw err;
  }
}

async function reload(stores: Stores): Promise<IsolateKeys> {
  const keys = await importKeySet(await stores.KEYS.getByName("keys").getKeySet());
  isolateKeys = { keys, loadedAt: Date.now() };
  return keys;
}

async function importKeySet(keySet: KeySet): Promise<IsolateKeys> {
  const signing = new Map<SigningAlg, SigningKey>();
  for (const key of keySet.signingKeys) {
    if (key.status !== "current") continue;
    const privateKey = await importOnce(key.kid, () => importSigningKey(key.privateJwk, key.alg));
    signing.set(key.alg, { kid: key.kid, alg: key.alg, privateKey });
  }
  const byKid = new Map<string, CryptoKey>();
  let current: SealKeys["current"] | undefined;
  for (const key of keySet.sealKeys) {
    const cryptoKey = await importOnce(key.kid, () =>
      crypto.subtle.importKey(
        "raw",
        b64u.decode(key.secret) as Uint8Array<ArrayBuffer>,
        "AES-GCM",
        false,
        ["encrypt", "decrypt"],
      ),
    );
    byKid.set(key.kid, cryptoKey);
    if (key.status === "current") current = { kid: key.kid, key: cryptoKey };
  }
  if (!current) throw new Error("The KeyStore has no current sealing key");
  // Forget imports of keys the KeyStore dropped.
  const live = new Set([...keySet.signingKeys, ...keySet.sealKeys].map((k) => k.kid));
  for (const kid of imported.keys()) if (!live.has(kid)) imported.delete(kid);

  const jwks = { keys: keySet.signingKeys.map(publicJwk) };
  return {
    signing,
    jwks,
    verificationKeys: createLocalJWKSet(jwks),
    sealKeys: { current, byKid },
  };
}

async function importOnce(kid: string, load: () => Promise<CryptoKey>): Promise<CryptoKey> {
  const known = imported.get(kid);
  if (known) return known;
  const key = await load();
  imported.set(kid, key);
  return key;
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

/**
 * Public keys only, distinct kids (served at /jwks.json): the next key of each algorithm (so
 * that verifiers know it before it signs), the current one, and retired ones until every token
 * they signed has expired.
 */
export async function getPublicJwks(stores: Stores): Promise<JSONWebKeySet> {
  return (await loadKeys(stores)).jwks;
}

/**
 * Gatehouse's public keys as a jose key selector (createLocalJWKSet), built once per key set:
 * verifying a token Gatehouse issued reads no storage.
 */
export async function getVerificationKeys(stores: Stores): Promise<JWTVerifyGetKey> {
  return (await loadKeys(stores)).verificationKeys;
}

/**
 * The deployment's 256-bit sealing keys (AES-256-GCM, not extractable): the current one seals
 * authorization codes, login sessions, pending authorization requests and device cookies
 * (src/crypto/seal.ts); every one the KeyStore still holds opens what names it.
 */
export async function getSealKey(stores: Stores): Promise<SealKeys> {
  return (await loadKeys(stores)).sealKeys;
}

/**
 * Rotates every key now (POST /admin/keys/rotate) and reloads this isolate's keys at once; other
 * isolates follow within ISOLATE_KEYS_TTL_SECONDS. Refused (`retryAfter`, nothing changed) while
 * the next keys are too new to be known by every verifier (key-store.ts MIN_PUBLISHED_SECONDS).
 */
export async function rotateKeys(stores: Stores): Promise<RotationResult | RotationTooSoon> {
  const result = await stores.KEYS.getByName("keys").rotate();
  if (!("retryAfter" in result)) await reload(stores);
  return result;
}

/** Reloads this isolate's keys from the KeyStore now, whatever their age. */
export async function reloadKeys(stores: Stores): Promise<void> {
  await reload(stores);
}
