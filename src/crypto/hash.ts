import { b64u, utf8 } from "./encoding";

/**
 * SHA-256 of a string, base64url-encoded. Used to store high-entropy secrets (client secrets,
 * refresh tokens): with 256 random bits an unsalted fast hash is safe, unlike for passwords.
 */
export async function sha256(input: string): Promise<string> {
  return b64u.encode(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8(input))));
}
