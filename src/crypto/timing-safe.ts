import { utf8 } from "./encoding";

/**
 * Compares two strings in time independent of where they differ and of their lengths:
 * both are hashed to 32 bytes first, then compared with the runtime's constant-time compare.
 */
export async function timingSafeEqual(a: string, b: string): Promise<boolean> {
  const [ha, hb] = await Promise.all([
    crypto.subtle.digest("SHA-256", utf8(a)),
    crypto.subtle.digest("SHA-256", utf8(b)),
  ]);
  return crypto.subtle.timingSafeEqual(ha, hb);
}
