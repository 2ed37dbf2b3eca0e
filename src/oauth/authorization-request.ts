import type { Config } from "../config";
import { Params } from "../http/params";
import type { ClientRecord } from "../storage/clients";
import type { Stores } from "../storage/stores";
import { OAuthError, type OAuthErrorCode } from "../protocol/errors";
import { isValidCodeChallenge } from "./pkce";
import { matchRedirectUri } from "./redirect-uri";
import { parseScope } from "../protocol/scope";
import { findClient } from "./client-lookup";
import { allowedScopes } from "./client-allowance";
import { resolveResources } from "./resource-indicators";

/** Generous for opaque or JWT-shaped values; a redirect URL must stay well under 8 KiB. */
const MAX_STATE_LENGTH = 2048;
const MAX_NONCE_LENGTH = 512;

export type Prompt = "none" | "login" | "consent" | "select_account";
const PROMPTS: ReadonlySet<string> = new Set<Prompt>(["none", "login", "consent", "select_account"]);

/** A validated authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, OIDC Core §3.1.2.1). */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  /** Whether redirect_uri was sent (RFC 6749 §4.1.3 then requires it at the token endpoint). */
  redirectUriProvided: boolean;
  state?: string;
  scope: string[];
  codeChallenge: string;
  nonce?: string;
  resource: string[];
  prompt: Prompt[];
  maxAge?: number;
  loginHint?: string;
  /** OIDC Core §3.1.2.1 ui_locales: the pages' language for this sign-in (src/ui/language.ts). */
  uiLocales?: string;
  /** The subject named by a verified id_token_hint: only that user's session may answer. */
  hintedSub?: string;
}

/** Where an authorization response goes: a client, one of its redirect URIs, its state. */
export type ClientRedirect = Pick<
  AuthorizationRequest,
  "clientId" | "redirectUri" | "redirectUriProvided" | "state"
>;

/**
 * An invalid request whose client and redirect URI are valid. Its error goes back to the client
 * only once the user is signed in (RFC 9700 §4.11.2): until then it waits in the login form.
 */
export interface RefusedRequest extends ClientRedirect {
  error: OAuthErrorCode;
  description: string;
  /** The request's ui_locales (OIDC Core §3.1.2.1), so that its login page speaks it too. */
  uiLocales?: string;
}

/**
 * What waits for the user to sign in: a valid request (answered with a code, after consent), or
 * a refused one (answered with its error).
 */
export type PendingRequest = AuthorizationRequest | RefusedRequest;

export function isRefused(request: PendingRequest): request is RefusedRequest {
  return "error" in request;
}

/** The client and redirect URI, established before anything may be sent back to the client. */
export interface RedirectTarget {
  client: ClientRecord;
  redirectUri: string;
  redirectUriProvided: boolean;
  /** state as sent, for error redirects (RFC 6749 §4.1.2.1). */
  state: string | undefined;
}

/**
 * RFC 6749 §4.1.2.1: "If the request fails due to a missing, invalid, or mismatching redirection
 * URI, or if the client identifier is missing or invalid, the authorization server SHOULD inform
 * the resource owner of the error and MUST NOT automatically redirect the user-agent to the
 * invalid redirection URI." Every error thrown here is therefore rendered as a page: the target
 * is recorded for error redirects only later (src/oauth/authorization-errors.ts).
 */
export async function resolveRedirectTarget(
  stores: Stores,
  pairs: URLSearchParams,
  config: Config,
): Promise<RedirectTarget> {
  const clientIds = pairs.getAll("client_id");
  const redirectUris = pairs.getAll("redirect_uri");
  if (clientIds.length > 1) {
    throw new OAuthError("invalid_request", 'The parameter "client_id" is repeated');
  }
  if (redirectUris.length > 1) {
    throw new OAuthError("invalid_request", 'The parameter "redirect_uri" is repeated');
  }
  // Values a client sends back and forth are bounded: they travel in URLs, codes and forms.
  const state = pairs.get("state") ?? undefined;
  if (state !== undefined && state.length > MAX_STATE_LENGTH) {
    throw new OAuthError("invalid_request", "The state parameter is too long");
  }
  const clientId = clientIds[0];
  if (!clientId) {
    throw new OAuthError("invalid_request", 'The parameter "client_id" is missing');
  }
  const client = await findClient(stores, config, clientId);
  if (!client) {
    throw new OAuthError("invalid_client", "The client is unknown");
  }
  const registered = client.metadata.redirect_uris;
  const presented = redirectUris[0];
  let redirectUri: string;
  if (presented) {
    if (!matchRedirectUri(registered, presented)) {
      throw new OAuthError("invalid_request", "The redirect_uri is not registered for this client");
    }
    redirectUri = presented;
  } else if (registered.length === 1 && registered[0] !== undefined) {
    // OAuth 2.1 §4.1.1: redirect_uri is optional when exactly one is registered.
    redirectUri = registered[0];
  } else {
    throw new OAuthError("invalid_request", 'The parameter "redirect_uri" is missing');
  }
  return {
    client,
    redirectUri,
    redirectUriProvided: presented !== undefined && presented !== "",
    state,
  };
}

/**
 * Validates the rest of the request. Errors thrown here are redirected to the (validated)
 * redirect URI by the caller (RFC 6749 §4.1.2.1).
 */
export function validateAuthorizationRequest(
  config: Config,
  target: RedirectTarget,
  pairs: URLSearchParams,
): AuthorizationRequest {
  const params = new Params(pairs); // refuses repeated parameters (RFC 6749 §3.1)
  const { client } = target;

  // OIDC Core §6: request objects are not supported.
  if (params.get("request") !== undefined) {
    throw new OAuthError("request_not_supported", "Request objects are not supported");
  }
  if (params.get("request_uri") !== undefined) {
    throw new OAuthError("request_uri_not_supported", "request_uri is not supported");
  }

  const responseType = params.get("response_type");
  if (responseType === undefined) {
    throw new OAuthError("invalid_request", 'The parameter "response_type" is missing');
  }
  if (responseType !== "code") {
    throw new OAuthError("unsupported_response_type", "Only response_type=code is supported");
  }
  if (
    !client.metadata.grant_types.includes("authorization_code") ||
    !client.metadata.response_types.includes("code")
  ) {
    throw new OAuthError(
      "unauthorized_client",
      "The client is not allowed to use the authorization code grant",
    );
  }
  const responseMode = params.get("response_mode");
  if (responseMode !== undefined && responseMode !== "query") {
    throw new OAuthError("invalid_request", "Only response_mode=query is supported");
  }

  // RFC 7636 §4.3, OAuth 2.1 §4.1.1: PKCE is required for every client, and only S256.
  const codeChallenge = params.get("code_challenge");
  if (codeChallenge === undefined) {
    throw new OAuthError("invalid_request", "code_challenge is required (PKCE with S256)");
  }
  if (params.get("code_challenge_method") !== "S256") {
    // RFC 7636 §4.3: an absent method means "plain", which Gatehouse refuses.
    throw new OAuthError("invalid_request", "code_challenge_method must be S256");
  }
  if (!isValidCodeChallenge(codeChallenge)) {
    throw new OAuthError("invalid_request", "code_challenge is not a valid S256 challenge");
  }

  const scope = resolveScope(client, params.get("scope"));
  const resource = resolveResources(config, client, params.getAll("resource"));
  const prompt = parsePrompt(params.get("prompt"));
  const maxAge = parseMaxAge(params.get("max_age"));

  const request: AuthorizationRequest = {
    clientId: client.client_id,
    redirectUri: target.redirectUri,
    redirectUriProvided: target.redirectUriProvided,
    scope,
    codeChallenge,
    resource,
    prompt,
  };
  const state = params.get("state");
  if (state !== undefined) request.state = state;
  const nonce = params.get("nonce");
  if (nonce !== undefined && nonce.length > MAX_NONCE_LENGTH) {
    throw new OAuthError("invalid_request", "The nonce parameter is too long");
  }
  if (nonce !== undefined) request.nonce = nonce;
  if (maxAge !== undefined) request.maxAge = maxAge;
  const loginHint = params.get("login_hint");
  if (loginHint !== undefined) request.loginHint = loginHint.slice(0, 256);
  const uiLocales = params.get("ui_locales");
  if (uiLocales !== undefined) request.uiLocales = uiLocales.slice(0, 256);
  return request;
}

/**
 * RFC 6749 §3.3: an absent scope takes the client's registered scopes as the default; a scope
 * outside what the client may ask for is `invalid_scope`.
 */
function resolveScope(client: ClientRecord, scope: string | undefined): string[] {
  const allowed = allowedScopes(client);
  if (scope === undefined) return allowed;
  const requested = parseScope(scope);
  const unknown = requested.filter((s) => !allowed.includes(s));
  if (unknown.length > 0) {
    throw new OAuthError("invalid_scope", "The client may not ask for some of the requested scopes");
  }
  if (requested.length === 0) return allowed;
  return requested;
}

/** OIDC Core §3.1.2.1: a space-separated list; "none" stands alone. */
function parsePrompt(prompt: string | undefined): Prompt[] {
  if (prompt === undefined) return [];
  const values = [...new Set(prompt.split(" ").filter(Boolean))];
  for (const value of values) {
    if (!PROMPTS.has(value)) {
      throw new OAuthError("invalid_request", "The prompt parameter has an unsupported value");
    }
  }
  if (values.includes("none") && values.length > 1) {
    throw new OAuthError("invalid_request", "prompt=none cannot be combined with other values");
  }
  return values as Prompt[];
}

function parseMaxAge(maxAge: string | undefined): number | undefined {
  if (maxAge === undefined) return undefined;
  if (!/^\d{1,9}$/.test(maxAge)) {
    throw new OAuthError("invalid_request", "max_age must be a non-negative integer");
  }
  return Number(maxAge);
}

/**
 * Re-establishes the redirect target of a request that went through the login or consent form:
 * the client may have been deleted, or its redirect URIs changed, in the meantime.
 */
export async function reloadRedirectTarget(
  stores: Stores,
  request: ClientRedirect,
  config: Config,
): Promise<RedirectTarget> {
  // A metadata document is fetched again when its cache lifetime has passed: it may have changed.
  const client = await findClient(stores, config, request.clientId);
  if (!client || !matchRedirectUri(client.metadata.redirect_uris, request.redirectUri)) {
    throw new OAuthError("invalid_client", "The client is unknown or no longer registered");
  }
  return {
    client,
    redirectUri: request.redirectUri,
    redirectUriProvided: request.redirectUriProvided,
    state: request.state,
  };
}
