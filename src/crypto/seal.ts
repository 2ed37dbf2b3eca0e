import { EncryptJWT, type JWTPayload, jwtDecrypt } from "jose";

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

/**
 * Authenticated encryption of a small JSON payload with the deployment's current seal key: a
 * compact JWE (RFC 7516, `dir` + A256GCM, the key named by `kid`, RFC 7516 §4.1.6) that expires
 * after `ttlSeconds`. Used for values that cross the browser and must come back unaltered and
 * unread: authorization codes, pending authorization requests, login sessions. Needs no storage
 * write. The caller passes the keys (src/storage/keys.ts getSealKey: imported once per isolate
 * and refreshed after a rotation); this module never fetches them.
 */
export async function seal(
  keys: SealKeys,
  purpose: SealPurpose,
  payload: JWTPayload,
  ttlSeconds: number,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new EncryptJWT(payload)
    .setProtectedHeader({ alg: "dir", enc: "A256GCM", typ: purpose, kid: keys.current.kid })
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .encrypt(keys.current.key);
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
    const { payload } = await jwtDecrypt(
      sealed,
      (header) => {
        const key = keys.byKid.get(header.kid ?? UNNAMED_SEAL_KID);
        if (!key) throw new Error("no sealing key of that kid");
        return key;
      },
      {
        typ: purpose,
        keyManagementAlgorithms: ["dir"],
        contentEncryptionAlgorithms: ["A256GCM"],
        clockTolerance: 0,
      },
    );
    // The payload is authenticated: only this deployment's seal keys produced it.
    return payload as T;
  } catch {
    return null;
  }
}
