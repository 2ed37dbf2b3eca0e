// RFC 7662 §4: who may learn what about which access token, so that the introspection endpoint is
// no token-scanning oracle.
import { type ClientRecord, isOperatorClient } from "../storage/clients";

/** What the policy needs to know about an access token. */
export interface IntrospectedToken {
  client_id: string;
  aud?: string | string[] | undefined;
}

/**
 * Which access tokens a client may introspect:
 * - "any": every token. Clients the operator created through the admin API, unless their
 *   metadata says `"introspection": "own"`: resource servers are registered this way (RFC 7662
 *   §2.1 lets a protected resource ask about tokens issued to other clients).
 * - "own": the tokens issued to the client itself, and those whose audience names it by its
 *   client_id. Every self-registered client (`POST /register`): anyone can register one, so it
 *   must not learn about other clients' tokens. Only the client_id counts as naming a client,
 *   because Gatehouse assigned it; a resource URI or client_uri in self-asserted metadata proves
 *   nothing about who the client is.
 */
export function introspectionReach(client: ClientRecord): "any" | "own" {
  return isOperatorClient(client) && client.metadata.introspection !== "own" ? "any" : "own";
}

/**
 * Whether `client` may learn about `token`. When it may not, the endpoint answers
 * `{ "active": false }`, as for a token that does not exist (RFC 7662 §2.2: "If the protected
 * resource is not permitted to know about the token, ... active false").
 */
export function mayIntrospect(client: ClientRecord, token: IntrospectedToken): boolean {
  if (introspectionReach(client) === "any") return true;
  if (token.client_id === client.client_id) return true;
  const audience = typeof token.aud === "string" ? [token.aud] : (token.aud ?? []);
  return audience.includes(client.client_id);
}
