import * as v from "valibot";
import { b64u, utf8 } from "./encoding";
import { timingSafeEqual } from "./timing-safe";

/** A stored password: PBKDF2-SHA256 with its parameters, so they can be raised later. */
export interface PasswordHash {
  alg: "PBKDF2-SHA256";
  iterations: number;
  /** base64url */
  salt: string;
  /** base64url */
  hash: string;
}

/**
 * PBKDF2 iterations for new hashes. OWASP's Password Storage Cheat Sheet asks 600,000 for
 * PBKDF2-HMAC-SHA256, but workerd refuses more than 100,000 (a runtime cap). Each hash keeps its
 * own count, and `needsRehash` flags older ones, so this can be raised when the cap is.
 */
export const PASSWORD_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const KEY_BITS = 256;

/** NIST SP 800-63B-3 §5.1.1.2: at least 8 characters; a generous maximum bounds the hashing work. */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 1024;

/** Counts Unicode code points, as NIST SP 800-63B-3 §5.1.1.2 counts characters. */
export const codePointLength = (s: string): number => [...s].length;

/** The rule a new password must satisfy. No composition rules (NIST SP 800-63B-3 §5.1.1.2). */
export const NewPasswordSchema = v.pipe(
  v.string("password must be a string"),
  v.check(
    (s) => codePointLength(s) >= PASSWORD_MIN_LENGTH,
    `password must have at least ${PASSWORD_MIN_LENGTH} characters`,
  ),
  v.check(
    (s) => codePointLength(s) <= PASSWORD_MAX_LENGTH,
    `password must have at most ${PASSWORD_MAX_LENGTH} characters`,
  ),
);

export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await pbkdf2(password, salt, PASSWORD_ITERATIONS);
  return {
    alg: "PBKDF2-SHA256",
    iterations: PASSWORD_ITERATIONS,
    salt: b64u.encode(salt),
    hash: b64u.encode(hash),
  };
}

/** Derives the key with the stored parameters and compares in constant time. */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  if (stored.alg !== "PBKDF2-SHA256") return false;
  const derived = await pbkdf2(password, b64u.decode(stored.salt), stored.iterations);
  return timingSafeEqual(b64u.encode(derived), stored.hash);
}

/** True when a hash was made with weaker parameters than new hashes get. */
export function needsRehash(stored: PasswordHash): boolean {
  return (
    stored.alg !== "PBKDF2-SHA256" ||
    stored.iterations < PASSWORD_ITERATIONS ||
    b64u.decode(stored.salt).length < SALT_BYTES ||
    b64u.decode(stored.hash).length * 8 < KEY_BITS
  );
}

async function pbkdf2(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  // NIST SP 800-63B-3 §5.1.1.2: normalise Unicode (NFKC) so that the same password typed on
  // different keyboards or systems hashes the same.
  const key = await crypto.subtle.importKey(
    "raw",
    utf8(password.normalize("NFKC")),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: new Uint8Array(salt), iterations },
    key,
    KEY_BITS,
  );
  return new Uint8Array(bits);
}
