import type { Context } from "hono";
import type { LoginFailure, LoginForm } from "../auth/method";
import { loginMethodsOf } from "../auth/methods";
import type { AppEnv } from "../http/app-env";
import { csrfToken } from "../http/csrf";
import { type ClientRecord, isOperatorClient } from "../storage/clients";
import type { UserRecord } from "../storage/users";
import { renderConsentPage } from "../ui/consent-page";
import { LOGIN_ERROR_ID, loginErrorText, renderLoginPage } from "../ui/login-page";
import { formActionSource } from "../ui/render";
import { type AuthorizationRequest, isRefused, type PendingRequest } from "./authorization-request";
import { sealTicket } from "./interaction-ticket";
import { cannotProveIdentity } from "./native-client";
import { issuesRefreshToken } from "./refresh-policy";
import { documentClientNotice } from "./client-id-metadata-document";

/**
 * The login and consent pages of an authorization request: each carries the sealed pending
 * request and the browser's CSRF token. The login page shows the configured login methods'
 * forms (src/auth/methods.ts), each posting to its own route; the consent form posts to
 * CONSENT_ACTION (src/oauth/interaction.ts).
 */
export const CONSENT_ACTION = "/authorize/consent";

/** The login page for a pending request, or for a refused one whose error waits for sign-in. */
export async function showLoginPage(
  c: Context<AppEnv>,
  client: ClientRecord,
  request: PendingRequest,
  failure?: LoginFailure,
): Promise<Response> {
  const csrf = csrfToken(c);
  const username = failure?.username ?? (isRefused(request) ? undefined : request.loginHint);
  const form: LoginForm = {
    request: await sealTicket(c.get("stores"), { request, csrf }),
    csrf,
    ...(username === undefined ? {} : { username }),
    ...(failure ? { errorId: LOGIN_ERROR_ID } : {}),
  };
  return renderLoginPage(
    c,
    {
      clientName: clientDisplayName(client),
      ...(failure ? { error: loginErrorText(failure.error) } : {}),
      forms: loginMethodsOf(c.get("config")).map((method) => method.renderForm(form)),
    },
    {
      // The form ends in a redirect to the client (a code, or the waiting error).
      formActionOrigins: [request.redirectUri],
      uiLocales: request.uiLocales,
      ...(failure ? { status: failure.status } : {}),
      ...(failure?.headers ? { headers: failure.headers } : {}),
    },
  );
}

export async function showConsentPage(
  c: Context<AppEnv>,
  client: ClientRecord,
  request: AuthorizationRequest,
  user: UserRecord,
): Promise<Response> {
  const csrf = csrfToken(c);
  // A metadata-document client gets its own notice in place of the native-app and
  // self-registration ones (it is both asked every time and vouched for by nobody).
  const document = documentClientNotice(client);
  return renderConsentPage(
    c,
    {
      clientName: clientDisplayName(client),
      ...(client.metadata.client_uri ? { clientUri: client.metadata.client_uri } : {}),
      redirectOrigin: formActionSource(request.redirectUri) ?? request.redirectUri,
      scopes: request.scope,
      resources: request.resource,
      keepsAccess: issuesRefreshToken(client, request.scope),
      confirmEveryTime: !document && cannotProveIdentity(client, request.redirectUri),
      selfRegistered: !document && !isOperatorClient(client),
      ...(document ?? {}),
      userName: user.name ?? user.username,
      request: await sealTicket(c.get("stores"), { request, csrf, sub: user.sub }),
      csrf,
      action: CONSENT_ACTION,
    },
    { formActionOrigins: [request.redirectUri], uiLocales: request.uiLocales },
  );
}

function clientDisplayName(client: ClientRecord): string {
  return client.metadata.client_name ?? client.client_id;
}
