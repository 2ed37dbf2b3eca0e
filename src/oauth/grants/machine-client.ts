// Who may use the grants without a user (RFC 6749 §4.4 client credentials, RFC 8693 token
// exchange): the rule both grant types share.
import { OAuthError } from "../../protocol/errors";
import { type ClientRecord, isOperatorClient } from "../../storage/clients";
import { isConfidential } from "../client-auth";

/**
 * RFC 6749 §4.4: client credentials "MUST only be used by confidential clients", and a client
 * acting for others (RFC 8693) must prove who it is just as well. Self-registered clients are
 * vouched for by nobody (RFC 9700 §4.11.2), so only the operator's clients qualify. Registration
 * refuses the others these grant types (src/oauth/client-metadata.ts,
 * src/oauth/client-registration.ts); this holds for any record whatever wrote it.
 */
export function requireMachineClient(client: ClientRecord, grantType: string): void {
  if (!isConfidential(client) || !isOperatorClient(client)) {
    throw new OAuthError(
      "unauthorized_client",
      `Only confidential clients registered by the operator may use ${grantType}`,
    );
  }
}
