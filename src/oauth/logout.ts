// OpenID Connect RP-Initiated Logout 1.0: the end-session endpoint, and the user's own sign-out.
import type { Context } from "hono";
import { Hono } from "hono/tiny";
import type { AppEnv } from "../http/app-env";
import { limitBody } from "../http/body-limit";
import { csrfToken, verifyCsrf } from "../http/csrf";
import { toOAuthError } from "../http/on-error";
import { securityEvent } from "../http/security-events";
import { Params, readFormBody } from "../http/params";
import { endSession, readSession } from "../http/session";
import { OAuthError } from "../protocol/errors";
import type { ClientRecord } from "../storage/clients";
import { getVerificationKeys } from "../storage/keys";
import { type IdTokenHint, verifyIdTokenHint } from "../tokens/id-token-hint";
import { renderErrorPage } from "../ui/error-page";
import { renderLogoutConfirmPage, renderSignedOutPage } from "../ui/logout-page";
import { findClient } from "./client-lookup";
import { appendResponseParams } from "./redirect-uri";
import { afterSessionEnd } from "./session-end";

export const LOGOUT_PATH = "/logout";

/**
 * Every error is a page, never a redirect: until the client and its post_logout_redirect_uri are
 * known good there is nowhere safe to send the user (RFC 9700 §4.11: no open redirector).
 */
export const logoutRoutes = new Hono<AppEnv>().onError((err, c) => renderErrorPage(c, toOAuthError(err)));

/** A validated logout request (RP-Initiated Logout §2). */
interface LogoutRequest {
  client: ClientRecord | null;
  hint: IdTokenHint | null;
  /** The registered post_logout_redirect_uri the request named. */
  returnTo: string | undefined;
  state: string | undefined;
  /** §2 ui_locales (OIDC Core §3.1.2.1): the pages' language, carried to the POST. */
  uiLocales: string | undefined;
}

/**
 * RP-Initiated Logout §2: GET and POST (form) at the end-session endpoint. With a valid
 * id_token_hint naming the signed-in user, the session ends at once; otherwise the user confirms
 * on a page (§2: the OP "SHOULD ask the End-User whether to log out"), whose POST carries a CSRF
 * token. With no parameters this is the user's own sign-out: the same confirmation.
 */
logoutRoutes.on(["GET", "POST"], LOGOUT_PATH, limitBody(), async (c) => {
  const params = new Params(
    c.req.method === "POST" ? await readFormBody(c) : new URL(c.req.url).searchParams,
  );
  const request = await validateLogoutRequest(c, params);
  const confirming = c.req.method === "POST" && params.get("csrf") !== undefined;
  if (confirming) {
    // The token is both the form's and its own "ticket": the cookie must equal it.
    const csrf = params.require("csrf");
    await verifyCsrf(c, csrf, csrf);
    return finishLogout(c, request, true);
  }
  const session = await readSession(c);
  // Nothing to end, or proof that the signed-in user's own application asks: no question.
  if (session === null || (request.hint !== null && request.hint.sub === session.sub)) {
    return finishLogout(c, request, false);
  }
  return renderLogoutConfirmPage(
    c,
    {
      action: LOGOUT_PATH,
      csrf: csrfToken(c),
      carried: carriedParameters(request),
      clientName: request.client?.metadata.client_name,
    },
    request.returnTo,
    request.uiLocales,
  );
});

logoutRoutes.all(LOGOUT_PATH, () => {
  throw new OAuthError("invalid_request", "The end-session endpoint accepts GET and POST", {
    status: 405,
    headers: { Allow: "GET, POST" },
  });
});

/**
 * §2 and §3: the id_token_hint must be an ID token Gatehouse issued (expired ones too); a
 * client_id given with it must be among its audience; a post_logout_redirect_uri needs the client
 * identified (client_id or the hint's single audience) and must be one it registered, compared
 * as strings (§3.1). `ui_locales` chooses the pages' language (src/ui/language.ts).
 */
async function validateLogoutRequest(c: Context<AppEnv>, params: Params): Promise<LogoutRequest> {
  const hintParam = params.get("id_token_hint");
  const hint =
    hintParam === undefined
      ? null
      : await verifyIdTokenHint(await getVerificationKeys(c.get("stores")), hintParam, c.get("issuer"));
  let clientId = params.get("client_id");
  if (hint !== null) {
    if (clientId !== undefined && !hint.audience.includes(clientId)) {
      throw new OAuthError("invalid_request", "The id_token_hint was not issued to this client_id");
    }
    if (clientId === undefined && hint.audience.length === 1) clientId = hint.audience[0];
  }
  const client =
    clientId === undefined ? null : await findClient(c.get("stores"), c.get("config"), clientId);
  if (clientId !== undefined && client === null) {
    throw new OAuthError("invalid_client", "The application that sent you here is not known");
  }
  const returnTo = params.get("post_logout_redirect_uri");
  if (returnTo !== undefined) {
    if (client === null) {
      throw new OAuthError(
        "invalid_request",
        "A post_logout_redirect_uri needs the application identified (client_id or id_token_hint)",
      );
    }
    if (!(client.metadata.post_logout_redirect_uris ?? []).includes(returnTo)) {
      throw new OAuthError(
        "invalid_redirect_uri",
        "The application asked to send you to an address it has not registered for after sign-out",
      );
    }
  }
  const uiLocales = params.get("ui_locales")?.slice(0, 256);
  return { client, hint, returnTo, state: params.get("state"), uiLocales };
}

/**
 * What the confirmation form posts back. The hint is not carried: the POST is proven by its
 * CSRF token, and an ID token has no place in a page.
 */
function carriedParameters(request: LogoutRequest): Record<string, string> {
  const carried: Record<string, string> = {};
  if (request.client !== null) carried.client_id = request.client.client_id;
  if (request.returnTo !== undefined) carried.post_logout_redirect_uri = request.returnTo;
  if (request.state !== undefined) carried.state = request.state;
  if (request.uiLocales !== undefined) carried.ui_locales = request.uiLocales;
  return carried;
}

/**
 * Ends the session (src/http/session.ts endSession), revokes the grants issued under it to
 * clients that asked and tells the clients that asked (src/oauth/session-end.ts), then sends the user back with `state` (§3: 303 after a POST, 302 after a
 * GET), or shows that they are signed out. Both answers go through the context, so the cleared
 * session cookie reaches the browser.
 */
async function finishLogout(
  c: Context<AppEnv>,
  request: LogoutRequest,
  confirmed: boolean,
): Promise<Response> {
  const ended = await endSession(c);
  if (ended !== null) {
    securityEvent("logout", {
      sub: ended.sub,
      ...(request.client === null ? {} : { client_id: request.client.client_id }),
      confirmed,
    });
    await afterSessionEnd(c, ended);
  }
  if (request.returnTo === undefined) return renderSignedOutPage(c, request.uiLocales);
  const location = appendResponseParams(request.returnTo, { state: request.state });
  return c.redirect(location, c.req.method === "POST" ? 303 : 302);
}
