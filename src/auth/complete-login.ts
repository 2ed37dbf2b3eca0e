import type { Context } from "hono";
import type { AppEnv } from "../http/app-env";
import { startSession } from "../http/session";
import type { UserRecord } from "../storage/users";
import type { PendingLogin } from "./method";

/** Who signed in, and how (OIDC Core §2 `amr` with RFC 8176 values, and `acr`). */
export interface LoginResult {
  user: UserRecord;
  amr: readonly string[];
  acr?: string;
}

/**
 * The one way every login method finishes: starts the session and resumes the authorization
 * the sign-in was for (or delivers the error it held back, RFC 9700 §4.11.2).
 *
 * Signing in always replaces the session: whoever was signed in before, the new session (a record
 * in the user's Durable Object and its sealed cookie) names this user, this moment (OIDC
 * `auth_time`) and this method (`amr`, `acr`), and every answer below carries them.
 */
export async function completeLogin(
  c: Context<AppEnv>,
  pending: PendingLogin,
  result: LoginResult,
): Promise<Response> {
  const session = await startSession(c, {
    sub: result.user.sub,
    authTime: Math.floor(Date.now() / 1000),
    amr: [...result.amr],
    ...(result.acr === undefined ? {} : { acr: result.acr }),
  });
  return pending.resume(session, result.user);
}
