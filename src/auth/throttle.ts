// OWNER: helper D (login throttle). Brute-force limits on the password login.
import { OAuthError } from "../oauth/errors";

export interface LoginAttempt {
  username: string;
  /** The client's address (CF-Connecting-IP), when known. */
  ip: string | undefined;
}

/**
 * Throws OAuthError (temporarily_unavailable, status 429, with Retry-After) when this username or
 * address is locked out after too many failures. Consulted before the password is checked.
 */
export async function assertLoginAllowed(_env: Env, _attempt: LoginAttempt): Promise<void> {
  void OAuthError;
  throw new Error("not implemented");
}

/** Records the outcome: a failure counts toward the lockout, a success clears the username's count. */
export async function recordLoginResult(
  _env: Env,
  _attempt: LoginAttempt,
  _succeeded: boolean,
): Promise<void> {
  throw new Error("not implemented");
}
