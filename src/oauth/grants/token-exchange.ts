// RFC 8693: token exchange, for delegation between services. A service holding an access token
// that Gatehouse issued (the subject token) gets a new one for another service, narrowed in
// audience and scope, that says who acts for the subject (`act`, §4.1).
import { clientSubject, subjectClientId } from "../../protocol/client-subject";
import { OAuthError } from "../../protocol/errors";
import { parseScope } from "../../protocol/scope";
import type { AccessTokenPayload, ActorClaim } from "../../tokens/access-token";
import type { TokenResponse } from "../../tokens/issue";
import { resolveResources } from "../resource-indicators";
import type { GrantContext, GrantStores, GrantType } from "./grant-type";
import { requireMachineClient } from "./machine-client";

/** RFC 8693 §3: the one token type Gatehouse exchanges and issues. */
export const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

const PARAMETERS = [
  "subject_token",
  "subject_token_type",
  "actor_token",
  "actor_token_type",
  "requested_token_type",
  "resource",
  "audience",
  "scope",
] as const;
type Parameter = (typeof PARAMETERS)[number];

export const tokenExchange: GrantType<Parameter> = {
  grantType: "urn:ietf:params:oauth:grant-type:token-exchange",
  parameters: PARAMETERS,
  handle: exchange,
};

/**
 * RFC 8693 §2.2.2: a request that is not valid, and a subject or actor token that is invalid
 * for any reason or unacceptable by policy, MUST be answered `invalid_request`.
 */
const invalidRequest = (description: string) => new OAuthError("invalid_request", description);

async function exchange({
  client,
  params,
  config,
  issuer,
  stores,
  clock,
}: GrantContext<Parameter>): Promise<TokenResponse> {
  // Policy: the operator's confidential clients registered for this grant type (the token
  // endpoint checked grant_types), for the audiences in their `resources` (targetAudience).
  requireMachineClient(client, tokenExchange.grantType);
  const subjectToken = params.require("subject_token");
  if (params.require("subject_token_type") !== ACCESS_TOKEN_TYPE) {
    throw invalidRequest(`subject_token_type must be ${ACCESS_TOKEN_TYPE}`);
  }
  // Delegation only: the acting party is the authenticated client, named in `act`; an actor
  // token (§2.1, impersonation chains of other parties) is not supported.
  if (params.get("actor_token") !== undefined || params.get("actor_token_type") !== undefined) {
    throw invalidRequest("actor_token is not supported: the acting party is the client");
  }
  const requestedType = params.get("requested_token_type");
  if (requestedType !== undefined && requestedType !== ACCESS_TOKEN_TYPE) {
    throw invalidRequest(`requested_token_type must be ${ACCESS_TOKEN_TYPE}`);
  }

  const audience = targetAudience(params.getAll("resource"), params.getAll("audience"), client, config);
  const subject = await liveSubjectToken(subjectToken, issuer, stores, clock.now());
  const scope = narrowedScope(params.get("scope"), subject.scope, client.metadata.scope);

  // §4.1: the current actor outside, the earlier ones nested within.
  const act: ActorClaim = {
    sub: clientSubject(client.client_id),
    client_id: client.client_id,
    ...(subject.act === undefined ? {} : { act: subject.act }),
  };
  // §2.2.1: an access token, no refresh token (the subject token's holder asks again).
  return stores.tokens.issue({
    issuer,
    // The subject's grant: revoking it (or deleting the user) ends the exchanged token too.
    ...(subject.grant_id === undefined ? {} : { grantId: subject.grant_id }),
    clientId: client.client_id,
    sub: subject.sub,
    scope,
    resource: audience,
    ...(subject.auth_time === undefined ? {} : { authTime: subject.auth_time }),
    act,
    issuedTokenType: ACCESS_TOKEN_TYPE,
  });
}

/**
 * §2.1: `resource` (absolute URIs) and `audience` (logical names; Gatehouse's audiences are its
 * RESOURCES URIs, so the same values) name the target services. At least one is required, and
 * each must be among the client's registered `resources` — which a token-exchange client must
 * list: delegation goes only where the operator said (§5: the policy is the server's). Otherwise
 * `invalid_target` (§2.2.2).
 */
function targetAudience(
  resources: readonly string[],
  audiences: readonly string[],
  client: GrantContext["client"],
  config: GrantContext["config"],
): string[] {
  const targets = [...resources, ...audiences];
  if (targets.length === 0) {
    throw invalidRequest("Name the target service with resource or audience");
  }
  if (client.metadata.resources === undefined) {
    throw new OAuthError("invalid_target", "The client has no registered resources to exchange for");
  }
  return resolveResources(config, client, targets);
}

/**
 * The subject token, if it is a live access token Gatehouse issued: signature, `typ`, issuer,
 * expiry; for a user's token, the grant still active and the user still there; for a client's
 * (client credentials), that client still registered. Anything else is `invalid_request`.
 */
async function liveSubjectToken(
  token: string,
  issuer: string,
  stores: GrantStores,
  now: number,
): Promise<AccessTokenPayload> {
  const claims = await stores.accessTokens.read(token, issuer);
  if (claims === null || claims.exp <= now) {
    throw invalidRequest("The subject_token is not a valid access token of this server");
  }
  const clientId = subjectClientId(claims.sub);
  if (clientId !== undefined) {
    if (claims.grant_id === undefined && (await stores.clients.get(clientId)) !== null) return claims;
  } else if (claims.grant_id !== undefined) {
    const [status, user] = await Promise.all([
      stores.grants.status(claims.sub, claims.grant_id),
      stores.users.get(claims.sub),
    ]);
    if (status.state === "active" && user !== null) return claims;
  }
  throw invalidRequest("The subject_token is no longer valid");
}

/**
 * §2.1: the scope asked for, each within the subject token's and the client's registered
 * scope (invalid_scope otherwise, RFC 6749 §5.2); omitted, what both allow. `openid` is never
 * passed on: an exchanged token is for another service, never for an ID token or /userinfo.
 */
function narrowedScope(
  requested: string | undefined,
  subjectScope: string,
  registered: string,
): string[] {
  const mayHave = parseScope(registered);
  const allowed = parseScope(subjectScope).filter((s) => s !== "openid" && mayHave.includes(s));
  if (requested === undefined) return allowed;
  const asked = parseScope(requested);
  if (!asked.every((s) => allowed.includes(s))) {
    throw new OAuthError("invalid_scope", "The scope exceeds the subject token's or the client's");
  }
  return asked;
}
