import { type Context, Hono } from "hono";
import { deviceFor, rememberDevice } from "../auth/device-cookie";
import { assertLoginAllowed, type LoginPermit, recordLoginResult } from "../auth/throttle";
import { authenticatePassword } from "../auth/authenticator";
import type { AppEnv } from "../http/app-env";
import { limitBody } from "../http/body-limit";
import { verifyCsrf } from "../http/csrf";
import { Params, readParams } from "../http/params";
import { readSession, startSession } from "../http/session";
import { rememberConsent } from "../storage/consents";
import {
  asRedirect,
  continueAuthorization,
  redirectWithCode,
  refusalAfterSignIn,
} from "./authorization-flow";
import { CONSENT_ACTION, LOGIN_ACTION, showLoginPage } from "./interaction-pages";
import { isRefused, reloadRedirectTarget } from "./authorization-request";
import { OAuthError } from "../protocol/errors";
import { type InteractionTicket, openTicket } from "./interaction-ticket";
import { cannotProveIdentity } from "./native-client";

/** The login and consent forms' POST targets. Both answer with 303 (RFC 9700 §4.12). */
export const interactionRoutes = new Hono<AppEnv>();

const limit = limitBody("page");

interactionRoutes.post(LOGIN_ACTION, limit, async (c) => {
  const { form, ticket } = await readInteraction(c);
  const { client } = await reloadRedirectTarget(c.get("stores"), ticket.request);
  const username = (form.get("username") ?? "").slice(0, 256);
  const password = (form.get("password") ?? "").slice(0, 1024);
  const ip = c.req.header("CF-Connecting-IP");
  const device = await deviceFor(c, username);
  let permit: LoginPermit;
  try {
    permit = await assertLoginAllowed(c.get("stores"), { username, ip, device });
  } catch (err) {
    if (err instanceof OAuthError && err.status === 429) {
      return showLoginPage(c, client, ticket.request, {
        error: "Too many failed sign-in attempts. Try again later.",
        status: 429,
        username,
        headers: { ...err.headers },
      });
    }
    throw err;
  }
  const user = await authenticatePassword(c.get("stores"), username, password);
  await recordLoginResult(c.get("stores"), permit, user?.sub ?? null);
  if (!user) {
    return showLoginPage(c, client, ticket.request, {
      error: "Invalid username or password.",
      // 400, not 401: a form, not an HTTP authentication scheme (RFC 9110 §15.5.2).
      status: 400,
      username,
    });
  }
  // Signing in always replaces the session: whoever was signed in before, the new cookie names
  // this user and this moment (OIDC auth_time), and every answer below carries it.
  const session = { sub: user.sub, authTime: Math.floor(Date.now() / 1000) };
  await startSession(c, session);
  await rememberDevice(c, username);
  if (isRefused(ticket.request)) throw refusalAfterSignIn(ticket.request, 303);
  return continueAuthorization(c, client, ticket.request, {
    session,
    freshLogin: true,
    user,
    redirectStatus: 303,
  });
});

interactionRoutes.post(CONSENT_ACTION, limit, async (c) => {
  const { form, ticket } = await readInteraction(c);
  const { request } = ticket;
  if (isRefused(request)) {
    throw new OAuthError("invalid_request", "This form is not a consent form.", {
      rendering: { kind: "page" },
    });
  }
  const { client } = await reloadRedirectTarget(c.get("stores"), request);
  const session = await readSession(c);
  if (!session || ticket.sub === undefined || session.sub !== ticket.sub) {
    // The consent was shown to someone else, or the session ended meanwhile.
    throw new OAuthError(
      "access_denied",
      "Your sign-in changed while this page was open. Start again from the application.",
      { status: 403, rendering: { kind: "page" } },
    );
  }
  const decision = form.get("decision");
  try {
    if (decision === "deny") {
      // RFC 6749 §4.1.2.1: the resource owner denied the request.
      throw new OAuthError("access_denied", "The user denied the request");
    }
    if (decision !== "allow") {
      throw new OAuthError("invalid_request", "The consent decision is missing");
    }
  } catch (err) {
    throw asRedirect(err, request, 303);
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
  return redirectWithCode(c, request, session, 303);
});

/** Parses a login or consent form and checks its ticket and CSRF token. Errors are pages. */
async function readInteraction(
  c: Context<AppEnv>,
): Promise<{ form: Params; ticket: InteractionTicket }> {
  let form: Params;
  try {
    form = await readParams(c);
  } catch (err) {
    throw err instanceof OAuthError ? err.renderAs({ kind: "page" }) : err;
  }
  const ticket = await openTicket(c.get("stores"), form.get("request"));
  await verifyCsrf(c, form.get("csrf"), ticket.csrf);
  return { form, ticket };
}
