/**
 * Checks a username and password against the stored PBKDF2 hash (src/crypto/password-hash.ts).
 * Brute-force limits are the password method's throttle (./throttle.ts), applied by its route.
 */
import {
  PASSWORD_ITERATIONS,
  hashPassword,
  needsRehash,
  verifyPassword,
  type PasswordHash,
} from "../../crypto/password-hash";
import type { Stores } from "../../storage/stores";
import { findUserByUsername, replacePasswordHash, type UserRecord } from "../../storage/users";

/**
 * Verified when the username is unknown, so that an unknown user costs the same PBKDF2 work as
 * a wrong password: the response time does not reveal which usernames exist. Random bytes: no
 * password derives to them.
 */
const DUMMY_HASH: PasswordHash = {
  alg: "PBKDF2-SHA256",
  iterations: PASSWORD_ITERATIONS,
  salt: "Xq3pUYl0bQ1n5m8hT2vW4g",
  hash: "4pVb0S2qk7hX9yZc1nWm3eR5tU8oI6aL0dF2gH4jK7s",
};

/**
 * Resolves to the user, or null for an unknown user or a wrong password (indistinguishable, in
 * result and in time).
 */
export async function authenticatePassword(
  stores: Stores,
  username: string,
  password: string,
): Promise<UserRecord | null> {
  const user = await findUserByUsername(stores, username);
  const ok = await verifyPassword(password, user?.password ?? DUMMY_HASH);
  if (!ok || user === null) return null;
  if (needsRehash(user.password)) {
    // The password is known right now: the only moment its hash can be strengthened.
    await replacePasswordHash(stores, user, await hashPassword(password));
  }
  return user;
}
