/**
 * Registers a client (RFC 7591 §3), updates a self-registered one (RFC 7592 §2.2) and builds the
 * client information response (RFC 7591 §3.2.1, RFC 7592 §3). The admin API calls it; dynamic
 * registration (`POST /register`) and the client configuration endpoint reuse it.
 */
import type { Config } from "../config";
import { sha256 } from "../crypto/hash";
import { randomToken } from "../crypto/random";
import {
  deleteClient,
  putClient,
  verifyClientSecret,
  type ClientMetadata,
  type ClientRecord,
  type ClientRegistrant,
} from "../storage/clients";
import type { Stores } from "../storage/stores";
import { securityEvent } from "../http/security-events";
import { revokeClientGrants } from "../storage/client-grants";
import { withinAllowance } from "../protocol/client-allowance";
import { issuesClientSecret } from "./client-auth";
import { clientAllowance } from "./client-allowance";
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
} & Partial<RegistrationManagement>;

/**
 * RFC 7592 §3: what a self-registered client manages its registration with. The token is shown in
 * the registration response; a read or an update echoes the token the request presented (§3 makes
 * it REQUIRED there), since only its hash is stored.
 */
export interface RegistrationManagement {
  registration_access_token: string;
  /** The client configuration endpoint of this client: `<issuer>/register/<client_id>`. */
  registration_client_uri: string;
}

/** RFC 7592 §1: the client configuration endpoint of `clientId`. */
export function registrationClientUri(issuer: string, clientId: string): string {
  return `${issuer}/register/${encodeURIComponent(clientId)}`;
}

/**
 * Validates the metadata, issues a client id and (for confidential clients) a secret, and stores
 * the registration. A self-registered client also gets a registration access token (RFC 7592 §3);
 * the operator's are managed through the admin API instead. Secret and token are returned once
 * here and stored only as their SHA-256.
 */
export async function registerClient(
  stores: Stores,
  config: Config,
  metadata: unknown,
  registeredBy: ClientRegistrant,
): Promise<{ record: ClientRecord; clientSecret?: string; registrationAccessToken?: string }> {
  const parsed = registrableMetadata(metadata, config, registeredBy);
  // 256 random bits: an unsalted fast hash is enough to store it (src/crypto/hash.ts).
  const clientSecret = issuesClientSecret(parsed.token_endpoint_auth_method)
    ? randomToken(32)
    : undefined;
  const registrationAccessToken = registeredBy === "self" ? randomToken(32) : undefined;
  const record: ClientRecord = {
    client_id: randomToken(16),
    client_id_issued_at: Math.floor(Date.now() / 1000),
    ...(clientSecret === undefined ? {} : { client_secret_hash: await sha256(clientSecret) }),
    metadata: parsed,
    ...(registrationAccessToken === undefined
      ? {}
      : { registration_access_token_hash: await sha256(registrationAccessToken) }),
    registered_by: registeredBy,
  };
  await putClient(stores, record);
  return {
    record,
    ...(clientSecret === undefined ? {} : { clientSecret }),
    ...(registrationAccessToken === undefined ? {} : { registrationAccessToken }),
  };
}

/**
 * RFC 7592 §2.2: replaces a self-registered client's metadata with `body`, validated by the same
 * rules as a registration; fields left out take their defaults or are removed. The body must name
 * the client (`client_id`) and may repeat its current secret, never choose one. The id, the issue
 * time and the registration access token stay. A secret is issued when the new authentication
 * method needs one the client lacks (returned once, §2.2 allows a new secret in the response), and
 * dropped when the method is "none". `endsGrants` tells the caller that grants issued under the
 * old registration may exceed the new one (see grantsOutlive).
 */
export async function updateClientRegistration(
  stores: Stores,
  config: Config,
  record: ClientRecord,
  body: Record<string, unknown>,
): Promise<{ record: ClientRecord; clientSecret?: string; endsGrants: boolean }> {
  if (body.client_id !== record.client_id) {
    throw new OAuthError(
      "invalid_client_metadata",
      "client_id must be present and equal this client's identifier (RFC 7592 §2.2)",
    );
  }
  if (
    body.client_secret !== undefined &&
    (typeof body.client_secret !== "string" ||
      !(await verifyClientSecret(record, body.client_secret)))
  ) {
    throw new OAuthError(
      "invalid_client_metadata",
      "client_secret, when present, must equal the current secret; a client cannot choose its own (RFC 7592 §2.2)",
    );
  }
  const metadata = registrableMetadata(body, config, record.registered_by ?? "self");
  const needsSecret = issuesClientSecret(metadata.token_endpoint_auth_method);
  const clientSecret =
    needsSecret && record.client_secret_hash === undefined ? randomToken(32) : undefined;
  const { client_secret_hash: currentHash, ...rest } = record;
  const secretHash = !needsSecret
    ? undefined
    : clientSecret === undefined
      ? currentHash
      : await sha256(clientSecret);
  const updated: ClientRecord = {
    ...rest,
    ...(secretHash === undefined ? {} : { client_secret_hash: secretHash }),
    metadata,
  };
  await putClient(stores, updated);
  const endsGrants = grantsOutlive(record, updated);
  return clientSecret === undefined
    ? { record: updated, endsGrants }
    : { record: updated, clientSecret, endsGrants };
}

/**
 * Whether grants made under `before` could do more than `after` allows: a scope or a resource
 * taken away, or a confidential client turned public (its refresh tokens would then be redeemable
 * without a secret, RFC 6749 §6). A refresh keeps the grant's scope and resources (§6), so such
 * grants must end rather than outlive the registration that justified them.
 */
function grantsOutlive(before: ClientRecord, after: ClientRecord): boolean {
  const was = clientAllowance(before);
  // Without `resources` a registration allowed every configured resource: any list narrows it.
  if (was.resources === undefined && after.metadata.resources !== undefined) return true;
  if (!withinAllowance(clientAllowance(after), was.scope, was.resources ?? [])) return true;
  return before.client_secret_hash !== undefined && after.client_secret_hash === undefined;
}

/** parseClientMetadata, plus what only the operator may register. */
function registrableMetadata(
  metadata: unknown,
  config: Config,
  registeredBy: ClientRegistrant,
): ClientMetadata {
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
    // tokens on its own say-so (RFC 6749 §4.4) nor act for others (RFC 8693), whether it asks
    // at registration or in a later update (RFC 7592).
    throw new OAuthError(
      "invalid_client_metadata",
      `${machineGrant} is for clients the operator registers`,
    );
  }
  return parsed;
}

/**
 * The RFC 7591 §3.2.1 client information response. Without `clientSecret` (every read after the
 * registration) it carries no secret; the hash never leaves storage. `management` (RFC 7592 §3)
 * only for a self-registered client, at its registration and its configuration endpoint.
 */
export function clientInformationResponse(
  record: ClientRecord,
  clientSecret?: string,
  management?: RegistrationManagement,
): ClientInformationResponse {
  const confidential = record.client_secret_hash !== undefined;
  return {
    client_id: record.client_id,
    ...(clientSecret === undefined ? {} : { client_secret: clientSecret }),
    client_id_issued_at: record.client_id_issued_at,
    ...(confidential ? { client_secret_expires_at: 0 } : {}),
    ...record.metadata,
    ...management,
  };
}

/**
 * Deletes a registration and ends its grants, in every user's object that holds one (found
 * through the client-grant records). False, and nothing done, when there was no such client.
 * The admin API and RFC 7592 §2.3 both delete through here, so a deleted client never leaves a
 * live grant behind.
 */
export async function deleteClientAndGrants(stores: Stores, clientId: string): Promise<boolean> {
  if (!(await deleteClient(stores, clientId))) return false;
  const count = await revokeClientGrants(stores, clientId);
  securityEvent("grant.revoked", { client_id: clientId, reason: "client_deleted", count });
  return true;
}
