// OpenID Connect Back-Channel Logout 1.0: telling clients that a user's session ended.
import type { Context } from "hono";
import type { AppEnv } from "../http/app-env";
import type { Session } from "../http/session";
import type { ClientRecord } from "../storage/clients";
import { getSigningKey } from "../storage/keys";
import { ID_TOKEN_ALG } from "../tokens/id-token";
import { issueLogoutToken } from "../tokens/logout-token";

/** Waits before the 2nd and 3rd attempts; three attempts in all, well inside waitUntil's limit. */
export const BACKCHANNEL_RETRY_DELAYS_MS: readonly number[] = [1000, 3000];
/** One attempt's limit: an RP that does not answer must not hold the retries up. */
const ATTEMPT_TIMEOUT_MS = 5000;

/**
 * After `session` ended, POSTs a logout token (§2.5) to each of `clients` (those holding a live
 * grant of the user, src/oauth/session-end.ts) that registered a `backchannel_logout_uri`. It
 * runs after the response
 * (`waitUntil`), so the user's redirect never waits for an RP. The token carries `sub` always
 * and `sid` when the session has one; a client with `backchannel_logout_session_required` gets
 * the token even without `sid`: it names the user, which asks the RP to end all of that user's
 * sessions (§2.4, §2.7), more than it asked for but never less.
 */
export function sendBackchannelLogout(
  c: Context<AppEnv>,
  session: Session,
  clients: readonly ClientRecord[],
): void {
  const listening = clients.filter((client) => client.metadata.backchannel_logout_uri !== undefined);
  if (listening.length === 0) return;
  const work = notifyClients(c, session, listening).catch(() => {
    // Best effort (§2.8: the OP cannot make an RP log out); nothing to tell the user.
  });
  try {
    c.executionCtx.waitUntil(work);
  } catch {
    // No execution context (a test calling the app directly): the promise still runs.
  }
}

async function notifyClients(
  c: Context<AppEnv>,
  session: Session,
  clients: readonly ClientRecord[],
): Promise<void> {
  // Sessions with ids (issue 13 point 1) put `sid` in the cookie; older ones name the user only.
  const sid = "sid" in session && typeof session.sid === "string" ? session.sid : undefined;
  const key = await getSigningKey(c.get("stores"), ID_TOKEN_ALG);
  await Promise.all(
    clients.map(async (client) => {
      const uri = client.metadata.backchannel_logout_uri;
      if (uri === undefined) return;
      const token = await issueLogoutToken(key, {
        issuer: c.get("issuer"),
        clientId: client.client_id,
        sub: session.sub,
        sid,
      });
      await deliver(uri, token);
    }),
  );
}

/**
 * §2.5: `logout_token` form-encoded in a POST. Success is any 2xx (§2.8 says 200; some
 * frameworks answer 204); anything else, a timeout or a network error is retried. Redirects are
 * not followed (the token goes only to the registered URI) and the body is not read.
 */
async function deliver(uri: string, token: string): Promise<boolean> {
  for (let attempt = 0; attempt <= BACKCHANNEL_RETRY_DELAYS_MS.length; attempt++) {
    if (attempt > 0) {
      await new Promise((resolve) => setTimeout(resolve, BACKCHANNEL_RETRY_DELAYS_MS[attempt - 1]));
    }
    try {
      const res = await fetch(uri, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ logout_token: token }).toString(),
        redirect: "manual",
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
      await res.body?.cancel();
      if (res.status >= 200 && res.status < 300) return true;
    } catch {
      // A timeout or a network error: try again.
    }
  }
  return false;
}
