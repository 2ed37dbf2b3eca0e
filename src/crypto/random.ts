import { b64u } from "./encoding";

/** `bytes` random bytes from the platform CSPRNG, base64url-encoded (32 bytes = 256 bits). */
export function randomToken(bytes = 32): string {
  return b64u.encode(crypto.getRandomValues(new Uint8Array(bytes)));
}
