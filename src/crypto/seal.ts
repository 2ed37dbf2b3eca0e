import { EncryptJWT, type JWTPayload, jwtDecrypt } from "jose";

/**
 * What a sealed value is for. The purpose is the JWE `typ`, checked on opening, so a value
 * sealed as one thing (a session) never opens as another (an authorization code).
 */
export type SealPurpose = "code" | "interaction" | "session" | "refresh_token" | "device";

/**
 * Authenticated encryption of a small JSON payload with the deployment's "seal" key: a compact
 * JWE (RFC 7516, `dir` + A256GCM) that expires after `ttlSeconds`. Used for values that cross
 * the browser and must come back unaltered and unread: authorization codes, pending
 * authorization requests, login sessions. Needs no storage write. The caller passes the key
 * (src/storage/keys.ts getSealKey: imported once per isolate); this module never fetches it.
 */
export async function seal(
  key: CryptoKey,
  purpose: SealPurpose,
  payload: JWTPayload,
  ttlSeconds: number,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new EncryptJWT(payload)
    .setProtectedHeader({ alg: "dir", enc: "A256GCM", typ: purpose })
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .encrypt(key);
}

/**
 * Opens a sealed value; null when it is malformed, was tampered with, was sealed for another
 * purpose or has expired. Callers turn null into the error their endpoint owes.
 */
export async function unseal<T extends JWTPayload>(
  key: CryptoKey,
  purpose: SealPurpose,
  sealed: string,
): Promise<T | null> {
  try {
    const { payload } = await jwtDecrypt(sealed, key, {
      typ: purpose,
      keyManagementAlgorithms: ["dir"],
      contentEncryptionAlgorithms: ["A256GCM"],
      clockTolerance: 0,
    });
    // The payload is authenticated: only this deployment's seal key produced it.
    return payload as T;
  } catch {
    return null;
  }
}
