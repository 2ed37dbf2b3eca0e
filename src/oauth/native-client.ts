import type { ClientRecord } from "../storage/clients";
import { isConfidential } from "./client-auth";
import { isClientIdUrl } from "../storage/client-metadata-documents";

/**
 * RFC 8252 §8.6 (client impersonation): a native app that is a public client (no secret,
 * token_endpoint_auth_method "none") and receives the response on a loopback or private-use
 * scheme redirect URI cannot prove which program it is: any local program can use its
 * client_id and listen there. Its requests are therefore never approved silently from a
 * remembered consent; the user confirms each time. A public client whose redirect URI is an
 * https URI is reached at that exact address, which identifies it (§8.6: claimed https URIs),
 * and a confidential client proves itself at the token endpoint.
 * A client identified by a metadata document (draft-ietf-oauth-client-id-metadata-document-02)
 * is public and declared by itself alone: anyone may send its URL as client_id, so it is asked
 * every time too (§8: the user, not a registration, decides).
 */
export function cannotProveIdentity(client: ClientRecord, redirectUri: string): boolean {
  if (isClientIdUrl(client.client_id)) return true;
  if (isConfidential(client)) return false;
  // Anything but https is http on a loopback host (RFC 8252 §7.3, the only http registration
  // allows) or a private-use scheme (§7.1).
  return !/^https:\/\//i.test(redirectUri);
}
