// OWNER: helper A. Authentication methods sit behind one interface (passkeys, upstream OIDC later).
import type { UserRecord } from "../storage/users";

/**
 * Checks a username and password. Resolves to the user, or null for an unknown user or a wrong
 * password (indistinguishable, in result and in time). Brute-force limits are applied by the
 * caller (src/auth/throttle.ts), not here.
 */
export async function authenticatePassword(
  _env: Env,
  _username: string,
  _password: string,
): Promise<UserRecord | null> {
  throw new Error("not implemented");
}
