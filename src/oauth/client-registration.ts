/**
 * Registers a client (RFC 7591 §3) and builds the client information response (§3.2.1). The
 * admin API calls it; dynamic registration (`POST /register`) reuses it.
 */
import type { Config } from "../config";
import { sha256 } from "../crypto/hash";
import { randomToken } from "../crypto/random";
import {
  putClient,
  type ClientMetadata,
  type ClientRecord,
  type ClientRegistrant,
} from "../storage/clients";
import type { Stores } from "../storage/stores";
import { issuesClientSecret } from "./client-auth";
import { MACHINE_GRANT_TYPES, parseClientMetadata } from "./client-metadata";
import { OAuthError } from "../protocol/errors";

/** RFC 7591 §3.2.1: the client identifier, the secret when one was issued, and the metadata. */
export type ClientInformationResponse = ClientMetadata & {
  client_id: string;
  /** Only in the response to the registration itself: it is stored hashed, never shown again. */
  client_secret?: string;
  client_id_issued_at: number;
  /** 0: the secret does not expire. REQUIRED when a secret was issued (RFC 7591 §3.2.1). */
  client_secret_expires_at?: number;
};

/**
 * Validates the metadata, issues a client id and (for confidential clients) a secret, and stores
 * the registration. The secret is returned once here and stored only as its SHA-256.
 */
export async function registerClient(
  stores: Stores,
  config: Config,
  metadata: unknown,
  registeredBy: ClientRegistrant,
): Promise<{ record: ClientRecord; clientSecret?: string }> {
  const parsed = parseClientMetadata(metadata, config);
  if (registeredBy === "self" && parsed.introspection === "any") {
    // RFC 7662 §4: only the operator vouches for a client that may introspect others' tokens.
    throw new OAuthError(
      "invalid_client_metadata",
      'introspection "any" is for clients the operator registers; omit it or use "own"',
    );
  }
  const machineGrant = parsed.grant_types.find((g) => MACHINE_GRANT_TYPES.includes(g));
  if (registeredBy === "self" && machineGrant !== undefined) {
    // A self-registered client is vouched for by nobody (RFC 9700 §4.11.2): it may not get
    // tokens on its own say-so (RFC 6749 §4.4) nor act for others (RFC 8693).
    throw new OAuthError(
      "invalid_client_metadata",
      `${machineGrant} is for clients the operator registers`,
    );
  }
  // 256 random bits: an unsalted fast hash is enough to store it (src/crypto/hash.ts).
  const clientSecret = issuesClientSecret(parsed.token_endpoint_auth_method)
    ? randomToken(32)
    : undefined;
  const record: ClientRecord = {
    client_id: randomToken(16),
    client_id_issued_at: Math.floor(Date.now() / 1000),
    ...(clientSecret === undefined ? {} : { client_secret_hash: await sha256(clientSecret) }),
    metadata: parsed,
    registered_by: registeredBy,
  };
  await putClient(stores, record);
  return clientSecret === undefined ? { record } : { record, clientSecret };
}

/**
 * The RFC 7591 §3.2.1 client information response. Without `clientSecret` (every read after the
 * registration) it carries no secret; the hash never leaves storage.
 */
export function clientInformationResponse(
  record: ClientRecord,
  clientSecret?: string,
): ClientInformationResponse {
  const confidential = record.client_secret_hash !== undefined;
  return {
    client_id: record.client_id,
    ...(clientSecret === undefined ? {} : { client_secret: clientSecret }),
    client_id_issued_at: record.client_id_issued_at,
    ...(confidential ? { client_secret_expires_at: 0 } : {}),
    ...record.metadata,
  };
}
