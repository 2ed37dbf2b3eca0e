import type { Config } from "../config";
import { isClientIdUrl } from "../storage/client-metadata-documents";
import { type ClientRecord, getClient } from "../storage/clients";
import type { Stores } from "../storage/stores";
import { resolveClientMetadataDocument } from "./client-id-metadata-document";

/**
 * The client a client_id names, wherever it is registered: a URL client_id through its metadata
 * document (draft-ietf-oauth-client-id-metadata-document-02, which throws OAuthError
 * `invalid_client` when the document is unusable), any other in the registrations in KV (null
 * when unknown). Every endpoint that meets a client_id (authorization, its login and consent
 * forms, token, revocation, introspection) looks it up here.
 */
export async function findClient(
  stores: Stores,
  config: Config,
  clientId: string,
): Promise<ClientRecord | null> {
  if (isClientIdUrl(clientId)) return resolveClientMetadataDocument(config, clientId);
  return getClient(stores, clientId);
}
