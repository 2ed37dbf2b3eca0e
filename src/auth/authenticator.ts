/**
 * Authentication methods behind one interface. The password method is the first; passkeys
 * (WebAuthn) and login through an upstream OpenID provider plug in as further `Authenticator`s.
 */
import {
  findUserByUsername,
  replacePasswordHash,
  type UserRecord,
} from "../storage/users";
import type { Stores } from "../storage/stores";
import { PASSWORD_ITERATIONS, hashPassword, needsRehash, verifyPassword, type PasswordHash } from "./password";

/** One way of proving who the user is. Resolves to the user, or null when the proof fails. */
export interface Authenticator<Credentials> {
  /** Names the method, e.g. for the `amr` claim (RFC 8176: "pwd", "hwk", …). */
  readonly method: string;
  authenticate(stores: Stores, credentials: Credentials): Promise<UserRecord | null>;
}

export interface PasswordCredentials {
  username: string;
  password: string;
}

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

export const passwordAuthenticator: Authenticator<PasswordCredentials> = {
  method: "pwd",
  async authenticate(stores, { username, password }) {
    const user = await findUserByUsername(stores, username);
    const ok = await verifyPassword(password, user?.password ?? DUMMY_HASH);
    if (!ok || user === null) return null;
    if (needsRehash(user.password)) {
      // The password is known right now: the only moment its hash can be strengthened.
      await replacePasswordHash(stores, user, await hashPassword(password));
    }
    return user;
  },
};

/**
 * Checks a username and password. Resolves to the user, or null for an unknown user or a wrong
 * password (indistinguishable, in result and in time). Brute-force limits are applied by the
 * caller (src/auth/throttle.ts), not here.
 */
export function authenticatePassword(
  stores: Stores,
  username: string,
  password: string,
): Promise<UserRecord | null> {
  return passwordAuthenticator.authenticate(stores, { username, password });
}
