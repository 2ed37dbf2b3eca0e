import type { Context } from "hono";
import { Hono } from "hono/tiny";
import type { AppEnv } from "../http/app-env";
import { limitBody } from "../http/body-limit";
import { verifyCsrf } from "../http/csrf";
import { Params, readParams } from "../http/params";
import { readSession } from "../http/session";
import { rememberConsent } from "../storage/consents";
import { onAuthorizationError, recordRedirectTarget } from "./authorization-errors";
import { redirectWithCode } from "./authorization-flow";
import { CONSENT_ACTION } from "./interaction-pages";
import { isRefused, reloadRedirectTarget } from "./authorization-request";
import { OAuthError } from "../protocol/errors";
import { type InteractionTicket, openTicket } from "./interaction-ticket";
import { cannotProveIdentity } from "./native-client";

/**
 * The consent form's POST target; it answers with 303 (RFC 9700 §4.12). The login forms' routes
 * belong to their login methods (src/oauth/login.ts registers them).
 */
export const interactionRoutes = new Hono<AppEnv>().onError(onAuthorizationError);

const limit = limitBody();

interactionRoutes.post(CONSENT_ACTION, limit, async (c) => {
  const { form, ticket } = await readInteraction(c);
  const { request } = ticket;
  if (isRefused(request)) {
    throw new OAuthError("invalid_request", "This form is not a consent form.");
  }
  const { client } = await reloadRedirectTarget(c.get("stores"), request, c.get("config"));
  const session = await readSession(c);
  if (!session || ticket.sub === undefined || session.sub !== ticket.sub) {
    // The consent was shown to someone else, or the session ended meanwhile.
    throw new OAuthError(
      "access_denied",
      "Your sign-in changed while this page was open. Start again from the application.",
      { status: 403 },
    );
  }
  const decision = form.get("decision");
  // The client, its redirect URI and the user are established: errors go back to the client.
  recordRedirectTarget(c, request, 303);
  if (decision === "deny") {
    // RFC 6749 §4.1.2.1: the resource owner denied the request.
    throw new OAuthError("access_denied", "The user denied the request");
  }
  if (decision !== "allow") {
    throw new OAuthError("invalid_request", "The consent decision is missing");
  }
  // RFC 8252 §8.6: a consent given to a client that cannot prove its identity is not reused,
  // so it is not stored either.
  if (!cannotProveIdentity(client, request.redirectUri)) {
    await rememberConsent(
      c.get("stores"),
      session.sub,
      request.clientId,
      request.scope,
      request.resource,
    );
  }
  return redirectWithCode(c, client, request, session, 303);
});

/** Parses a login or consent form and checks its ticket and CSRF token. Errors are pages. */
export async function readInteraction(
  c: Context<AppEnv>,
): Promise<{ form: Params; ticket: InteractionTicket }> {
  const form = await readParams(c);
  const ticket = await openTicket(c.get("stores"), form.get("request"));
  await verifyCsrf(c, form.get("csrf"), ticket.csrf);
  return { form, ticket };
}
