import type { Context } from "hono";
import { randomToken } from "../crypto/random";
import type { AppEnv } from "../http/app-env";
import { readSession, type Session } from "../http/session";
import { type ClientRecord, isOperatorClient } from "../storage/clients";
import { consentCovers, getConsent } from "../storage/consents";
import { getUser, type UserRecord } from "../storage/users";
import { showConsentPage, showLoginPage } from "./interaction-pages";
import { sealCode } from "./sealed-code";
import type {
  AuthorizationRequest,
  RedirectTarget,
  RefusedRequest,
} from "./authorization-request";
import { recordRedirectTarget } from "./authorization-errors";
import { redirectToClient } from "./authorization-response";
import { OAuthError } from "../protocol/errors";
import { cannotProveIdentity } from "./native-client";
import { issuesRefreshToken } from "./refresh-policy";

/** How the browser reached this step: a form POST must be answered with 303 (RFC 9700 §4.12). */
export interface FlowStep {
  session: Session | null;
  /** The user signed in during this very request: prompt=login and max_age are satisfied. */
  freshLogin: boolean;
  /** The session's user when already loaded (just signed in); otherwise it is looked up. */
  user?: UserRecord;
  redirectStatus: 302 | 303;
}

/**
 * Takes a validated authorization request as far as it can go: to the login page, to the
 * consent page, or back to the client with a code. With a session and a remembered consent
 * (the hot path) it touches no Durable Object: the code is sealed, not stored.
 */
export async function continueAuthorization(
  c: Context<AppEnv>,
  client: ClientRecord,
  request: AuthorizationRequest,
  step: FlowStep,
): Promise<Response> {
  const prompt = new Set(request.prompt);
  // RFC 8252 §8.6: a client that cannot prove its identity never uses a remembered consent,
  // so it is not even read.
  const mayRemember = !cannotProveIdentity(client, request.redirectUri);
  // The hot path: the user and the remembered consent are read together (one KV round trip).
  const [loaded, consent] = step.session
    ? await Promise.all([
        step.user ?? getUser(c.get("stores"), step.session.sub),
        mayRemember ? getConsent(c.get("stores"), step.session.sub, client.client_id) : null,
      ])
    : [null, null];
  // RFC 9700 §4.11.2: nobody vouches for a self-registered client's redirect URI, so a visitor
  // who is not signed in is not sent there unseen (no open redirector): errors stay pages.
  if (loaded !== null || isOperatorClient(client)) {
    recordRedirectTarget(c, request, step.redirectStatus);
  }
  // OIDC Core §3.1.2.1: with an id_token_hint, only the hinted user's session answers.
  const user =
    loaded && (request.hintedSub === undefined || loaded.sub === request.hintedSub)
      ? loaded
      : null;
  const session = user ? step.session : null;
  const now = Math.floor(Date.now() / 1000);
  // OIDC Core §3.1.2.1: max_age=0 is prompt=login; otherwise the session may be that old.
  const tooOld =
    session !== null &&
    request.maxAge !== undefined &&
    (request.maxAge === 0 || now - session.authTime > request.maxAge);
  const loginRequested = prompt.has("login") || prompt.has("select_account");
  if (!user || !session || (!step.freshLogin && (loginRequested || tooOld))) {
    // OIDC Core §3.1.2.6: prompt=none and no (fresh enough) session → login_required.
    if (prompt.has("none")) {
      throw new OAuthError("login_required", "The user is not signed in");
    }
    return showLoginPage(c, client, request);
  }
  if (prompt.has("consent") || !mayRemember || !consentCovers(consent, request)) {
    if (prompt.has("none")) {
      throw new OAuthError("consent_required", "The user has not consented to this request");
    }
    return showConsentPage(c, client, request, user);
  }
  return redirectWithCode(c, client, request, session, step.redirectStatus);
}

/**
 * Answers an invalid request whose client and redirect URI are valid. RFC 9700 §4.11.2: a
 * registered redirect URI can still be an attacker's (anyone may register a client where
 * registration is open), and an erroneous request would make Gatehouse a redirector to it; so
 * the error goes to the client only once the user is signed in. Without a session the login page
 * is shown, and signing in delivers the error instead of a code. With prompt=none no page may be
 * shown (OIDC Core §3.1.2.6): the operator's clients get the error at once; a self-registered
 * client, vouched for by nobody, gets an error page instead, so an unauthenticated visitor is
 * never bounced to it unseen.
 */
export async function refuseAuthorization(
  c: Context<AppEnv>,
  target: RedirectTarget,
  err: unknown,
  options: { promptNone: boolean; redirectStatus: 302 | 303 },
): Promise<Response> {
  if (!(err instanceof OAuthError)) throw err;
  const session = await readSession(c);
  const user = session ? await getUser(c.get("stores"), session.sub) : null;
  if (user || options.promptNone) {
    if (user || isOperatorClient(target.client)) {
      recordRedirectTarget(c, target, options.redirectStatus);
    }
    throw err;
  }
  const uiLocales = c.req.query("ui_locales")?.slice(0, 256);
  return showLoginPage(c, target.client, {
    clientId: target.client.client_id,
    redirectUri: target.redirectUri,
    redirectUriProvided: target.redirectUriProvided,
    state: target.state,
    error: err.error,
    description: err.description,
    ...(uiLocales === undefined ? {} : { uiLocales }),
  });
}

/**
 * The error of a refused request, for the client now that the user has signed in
 * (RFC 9700 §4.11.2): it was held back until then.
 */
export function refusalAfterSignIn(
  c: Context<AppEnv>,
  refused: RefusedRequest,
  status: 302 | 303,
): OAuthError {
  recordRedirectTarget(c, refused, status);
  return new OAuthError(refused.error, refused.description);
}

/** RFC 6749 §4.1.2 with RFC 9207's `iss`: the code goes back to the client. */
export async function redirectWithCode(
  c: Context<AppEnv>,
  client: ClientRecord,
  request: AuthorizationRequest,
  session: Session,
  status: 302 | 303,
): Promise<Response> {
  const now = Math.floor(Date.now() / 1000);
  const code = await sealCode(c.get("stores"), {
    codeId: randomToken(16),
    grantId: randomToken(16),
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    redirectUriProvided: request.redirectUriProvided,
    codeChallenge: request.codeChallenge,
    sub: session.sub,
    scope: request.scope,
    resource: request.resource,
    ...(request.nonce === undefined ? {} : { nonce: request.nonce }),
    authTime: session.authTime,
    amr: session.amr,
    acr: session.acr,
    // What the user consented to (OIDC Core §11): the exchange returns a refresh token only then.
    refreshToken: issuesRefreshToken(client, request.scope),
    expiresAt: now + c.get("config").codeTtl,
  });
  return redirectToClient(
    c,
    request.redirectUri,
    [
      ["code", code],
      ["state", request.state],
    ],
    status,
  );
}
