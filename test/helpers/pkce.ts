import { b64u, utf8 } from "../../src/crypto/encoding";
import { randomToken } from "../../src/crypto/random";

/** A fresh RFC 7636 verifier and its S256 challenge, computed independently of src/oauth/pkce.ts. */
export async function createPkce(): Promise<{ verifier: string; challenge: string }> {
  const verifier = randomToken(48); // 64 characters
  const digest = await crypto.subtle.digest("SHA-256", utf8(verifier));
  return { verifier, challenge: b64u.encode(new Uint8Array(digest)) };
}
