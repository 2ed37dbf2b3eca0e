import type { ClientAllowance } from "../protocol/client-allowance";
import { parseScope } from "../protocol/scope";
import type { ClientRecord } from "../storage/clients";

/** Scopes the client may ask for (its registered `scope`, RFC 7591 §2). */
export function allowedScopes(client: ClientRecord): string[] {
  return parseScope(client.metadata.scope);
}

/**
 * What the client's current registration allows a grant to hold: the scopes /authorize lets it
 * ask for, and its RFC 8707 resources when it lists them (src/protocol/client-allowance.ts).
 */
export function clientAllowance(client: ClientRecord): ClientAllowance {
  return { scope: allowedScopes(client), resources: client.metadata.resources };
}
