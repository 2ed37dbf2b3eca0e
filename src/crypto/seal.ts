import type { JWTPayload } from "jose";
import { b64u, utf8 } from "./encoding";

/**
 * What a sealed value is for. The purpose is the JWE `typ`, checked on opening, so a value
 * sealed as one thing (a session) never opens as another (an authorization code).
 */
export type SealPurpose =
  | "code"
  | "interaction"
  | "session"
  | "refresh_token"
  | "device"
  // The local demo client (src/demo/): its secret at rest, and its state between steps.
  | "demo_secret"
  | "demo_state";

/**
 * The sealing keys as the caller holds them (src/storage/keys.ts getSealKey): the current key
 * seals, and every published one (next, current, retired) opens what carries its `kid`, so values
 * sealed before a rotation still open until they expire.
 */
export interface SealKeys {
  current: { kid: string; key: CryptoKey };
  byKid: ReadonlyMap<string, CryptoKey>;
}

/**
 * The kid of the one sealing secret kept before keys rotated: values it sealed carry no `kid`
 * in their header, and open under this name until the key is retired and dropped.
 */
export const UNNAMED_SEAL_KID = "seal-unnamed";

/** RFC 7518 §5.3: A256GCM uses a 96-bit IV and a 128-bit authentication tag. */
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The protected header's members this module writes and reads; anything else is refused. */
const HEADER_MEMBERS = new Set(["alg", "enc", "typ", "kid"]);

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Authenticated encryption of a small JSON payload with the deployment's current seal key: a
 * compact JWE (RFC 7516, `dir` + A256GCM, the key named by `kid`, RFC 7516 §4.1.6) that expires
 * after `ttlSeconds`. Used for values that cross the browser and must come back unaltered and
 * unread: authorization codes, pending authorization requests, login sessions. Needs no storage
 * write. The caller passes the keys (src/storage/keys.ts getSealKey: imported once per isolate
 * and refreshed after a rotation); this module never fetches them.
 *
 * WebCrypto's AES-GCM does the cryptography; this module only frames it as RFC 7516 §7.1
 * compact serialization, the one algorithm pair Gatehouse uses (jose's general JWE code, every
 * algorithm included, was a fifth of the bundle). The format is unchanged: jose opens these
 * values and values jose sealed open here (test/crypto/seal.test.ts).
 */
export async function seal(
  keys: SealKeys,
  purpose: SealPurpose,
  payload: JWTPayload,
  ttlSeconds: number,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const header = b64u.encode(
    JSON.stringify({ alg: "dir", enc: "A256GCM", typ: purpose, kid: keys.current.kid }),
  );
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const plaintext = utf8(JSON.stringify({ ...payload, iat: now, exp: now + ttlSeconds }));
  // RFC 7516 §5.1 steps 14–15: the encoded protected header is the additional authenticated data.
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: utf8(header), tagLength: TAG_BYTES * 8 },
      keys.current.key,
      plaintext,
    ),
  );
  const ciphertext = sealed.subarray(0, sealed.length - TAG_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  // `dir`: the JWE Encrypted Key is empty (RFC 7518 §4.5).
  return `${header}..${b64u.encode(iv)}.${b64u.encode(ciphertext)}.${b64u.encode(tag)}`;
}

/**
 * Opens a sealed value with the key its `kid` names; null when it is malformed, names no key
 * held here, was tampered with, was sealed for another purpose or has expired. Callers turn null
 * into the error their endpoint owes.
 */
export async function unseal<T extends JWTPayload>(
  keys: SealKeys,
  purpose: SealPurpose,
  sealed: string,
): Promise<T | null> {
  try {
    const parts = sealed.split(".");
    if (parts.length !== 5) return null;
    const [encodedHeader, encryptedKey, encodedIv, encodedCiphertext, encodedTag] = parts as [
      string,
      string,
      string,
      string,
      string,
    ];
    const header: unknown = JSON.parse(decoder.decode(b64u.decode(encodedHeader)));
    if (!isRecord(header) || Object.keys(header).some((name) => !HEADER_MEMBERS.has(name))) {
      return null; // RFC 7516 §4.1.13: no `crit`, no `zip`, nothing this module did not write.
    }
    if (header.alg !== "dir" || header.enc !== "A256GCM" || header.typ !== purpose) return null;
    if (header.kid !== undefined && typeof header.kid !== "string") return null;
    const key = keys.byKid.get(header.kid ?? UNNAMED_SEAL_KID);
    if (!key || encryptedKey !== "") return null;
    const iv = b64u.decode(encodedIv);
    const ciphertext = b64u.decode(encodedCiphertext);
    const tag = b64u.decode(encodedTag);
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) return null;
    const input = new Uint8Array(ciphertext.length + TAG_BYTES);
    input.set(ciphertext);
    input.set(tag, ciphertext.length);
    // RFC 7516 §5.2 step 16: a wrong key, header or tag fails authentication here (throws).
    const plaintext = await crypto.subtle.decrypt(
      {
        name: "AES-GCM",
        iv: iv as Uint8Array<ArrayBuffer>,
        additionalData: utf8(encodedHeader),
        tagLength: TAG_BYTES * 8,
      },
      key,
      input,
    );
    const payload: unknown = JSON.parse(decoder.decode(plaintext));
    if (!isRecord(payload)) return null;
    // RFC 7519 §4.1.4: expired at `exp` (no clock tolerance; seal() always sets it).
    const now = Math.floor(Date.now() / 1000);
    if (typeof payload.exp !== "number" || !(payload.exp > now)) return null;
    if (payload.nbf !== undefined && !(typeof payload.nbf === "number" && payload.nbf <= now)) {
      return null;
    }
    // The payload is authenticated: only this deployment's seal keys produced it.
    return payload as T;
  } catch {
    return null;
  }
}

const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);
