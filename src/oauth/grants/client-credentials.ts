// RFC 6749 §4.4: the client credentials grant, for a confidential client acting on its own
// behalf (a service calling a service). No user is involved, so there is no grant to keep: the
// access token is self-contained and lives ACCESS_TOKEN_TTL, and nothing is stored.
import { clientSubject } from "../../protocol/client-subject";
import { OAuthError } from "../../protocol/errors";
import { parseScope } from "../../protocol/scope";
import type { TokenResponse } from "../../tokens/issue";
import { resolveResources } from "../resource-indicators";
import type { GrantContext, GrantType } from "./grant-type";
import { requireMachineClient } from "./machine-client";

const PARAMETERS = ["scope", "resource"] as const;
type Parameter = (typeof PARAMETERS)[number];

export const clientCredentials: GrantType<Parameter> = {
  grantType: "client_credentials",
  parameters: PARAMETERS,
  handle: issueForClient,
};

async function issueForClient({
  client,
  params,
  config,
  issuer,
  stores,
}: GrantContext<Parameter>): Promise<TokenResponse> {
  requireMachineClient(client, clientCredentials.grantType);
  const scope = machineScope(params.get("scope"), client.metadata.scope);
  // RFC 8707 §2: each resource must be served here and allowed to the client.
  const resource = resolveResources(config, client, params.getAll("resource"));

  // RFC 6749 §4.4.3: "A refresh token SHOULD NOT be included"; no user, so no ID token either.
  return stores.tokens.issue({
    issuer,
    clientId: client.client_id,
    // RFC 9068 §2.2 / RFC 9700 §4.15: the client's own sub, disjoint from every user's.
    sub: clientSubject(client.client_id),
    scope,
    resource,
  });
}

/**
 * RFC 6749 §4.4.2, §3.3: the scope asked for, each within the client's registered scope
 * (invalid_scope otherwise), or the registered scope when omitted. `openid` asks for an ID
 * token about an authenticated user (OIDC Core §3.1.2.1); there is none here, so asking for it
 * is refused and the default leaves it out.
 */
function machineScope(requested: string | undefined, registered: string): string[] {
  const allowed = parseScope(registered).filter((s) => s !== "openid");
  if (requested === undefined) return allowed;
  const asked = parseScope(requested);
  if (asked.includes("openid")) {
    throw new OAuthError("invalid_scope", "openid needs a user; client_credentials has none");
  }
  if (!asked.every((s) => allowed.includes(s))) {
    throw new OAuthError("invalid_scope", "The scope exceeds what the client registered");
  }
  return asked;
}
