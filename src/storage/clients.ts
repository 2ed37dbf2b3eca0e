/**
 * Client registrations in the CLIENTS namespace, stored as their RFC 7591 metadata. This module
 * owns the key layout:
 *   client:<client_id>   → ClientRecord (JSON; the secret and the registration access token
 *                          only as their SHA-256)
 * Reads go through the isolate's read cache (isolate-cache.ts): a registration changed or deleted
 * here is seen here at once, and elsewhere within KV's propagation window plus 30 s.
 */
import { sha256 } from "../crypto/hash";
import { cachedJson, deleteCached, putCachedJson } from "./isolate-cache";
import { listJsonPage, type PageOptions } from "./kv-page";
import { timingSafeEqual } from "../crypto/timing-safe";
import type { Stores } from "./stores";

/** One of the methods registered in src/oauth/client-auth (checked at registration). */
export type TokenEndpointAuthMethod = string;

/** RFC 7591 §2 client metadata, normalised (defaults filled in) at registration. */
export interface ClientMetadata {
  redirect_uris: string[];
  client_name?: string;
  client_uri?: string;
  logo_uri?: string;
  contacts?: string[];
  /** Default ["authorization_code"]; add "refresh_token" to receive refresh tokens. */
  grant_types: string[];
  /** ["code"] with the authorization_code grant; [] for a client of the machine grants only. */
  response_types: string[];
  token_endpoint_auth_method: TokenEndpointAuthMethod;
  /** Space-separated scopes the client may ask for (RFC 7591 §2). */
  scope: string;
  /** RFC 8707 resources the client may ask for; absent: every configured resource. */
  resources?: string[];
  /**
   * Gatehouse extension: which access tokens the client may introspect (RFC 7662 §4). "own":
   * only its own (always so for self-registered clients); absent or "any": every token, for
   * operator clients (src/oauth/introspection-policy.ts).
   */
  introspection?: "any" | "own";
  /**
   * Gatehouse extension: an OpenID Connect request (scope `openid`) gets a refresh token only
   * when it asks for `offline_access` and the user allows it (OIDC Core §11). Absent or false:
   * refresh tokens follow grant_types alone, as before (src/oauth/refresh-policy.ts).
   */
  require_offline_access?: boolean;
  /** OIDC RP-Initiated Logout 1.0 §3.1: where /logout may send the user back, exact match. */
  post_logout_redirect_uris?: string[];
  /** OIDC Back-Channel Logout 1.0 §2.2: where logout tokens are POSTed. */
  backchannel_logout_uri?: string;
  /** OIDC Back-Channel Logout 1.0 §2.2: whether the client needs `sid` in logout tokens. */
  backchannel_logout_session_required?: boolean;
  /**
   * Gatehouse extension: a logout at /logout revokes this client's grants issued under the
   * session that ended. Absent or false: grants outlive sessions (refresh tokens keep working).
   */
  logout_revokes_grants?: boolean;
}

export interface ClientRecord {
  client_id: string;
  /** Seconds since the epoch (RFC 7591 §3.2.1). */
  client_id_issued_at: number;
  /** SHA-256 (base64url) of the secret; absent for public clients (auth method "none"). */
  client_secret_hash?: string;
  metadata: ClientMetadata;
  /**
   * SHA-256 (base64url) of the registration access token (RFC 7592 §3), which lets a client that
   * registered itself read, update and delete its registration. Absent for operator clients.
   */
  registration_access_token_hash?: string;
  /**
   * Who registered the client: the operator through the admin API, or the client itself through
   * `POST /register` (RFC 7591). A self-registered client is not vouched for by anyone, so it is
   * trusted less (RFC 9700 §4.11.2, RFC 7662 §4). Records written before this field existed count
   * as self-registered: the safer reading.
   */
  registered_by?: ClientRegistrant;
}

/** Who registered a client; see ClientRecord.registered_by. */
export type ClientRegistrant = "operator" | "self";

/** Whether the operator registered the client (the admin API); absent counts as "self". */
export function isOperatorClient(record: ClientRecord): boolean {
  return record.registered_by === "operator";
}

const clientKey = (clientId: string) => `client:${clientId}`;
// Client ids are randomToken(16); anything else cannot name a client (and must not reach KV,
// whose keys are limited to 512 bytes).
const CLIENT_ID_SHAPE = /^[A-Za-z0-9_-]{1,64}$/;

export async function getClient(stores: Stores, clientId: string): Promise<ClientRecord | null> {
  if (!CLIENT_ID_SHAPE.test(clientId)) return null;
  return cachedJson<ClientRecord>(stores.CLIENTS, clientKey(clientId));
}

export async function putClient(stores: Stores, record: ClientRecord): Promise<void> {
  await putCachedJson(stores.CLIENTS, clientKey(record.client_id), record);
}

/** Deletes a registration. False when there was none. */
export async function deleteClient(stores: Stores, clientId: string): Promise<boolean> {
  if ((await getClient(stores, clientId)) === null) return false;
  await deleteCached(stores.CLIENTS, clientKey(clientId));
  return true;
}

export interface ClientPage {
  clients: ClientRecord[];
  /** Pass back to get the next page; absent on the last page. */
  cursor?: string;
}

export async function listClients(stores: Stores, options: PageOptions = {}): Promise<ClientPage> {
  const { records, cursor } = await listJsonPage<ClientRecord>(stores.CLIENTS, "client:", options);
  return { clients: records, ...(cursor === undefined ? {} : { cursor }) };
}

/** Stands in for the missing hash of an unknown or public client (SHA-256 of random bytes). */
const NO_SECRET_HASH = "Hh7QkR2x9VbN4mL0sT6wY1cE8aP3uJ5gZ7dF2qW9eK4";

/**
 * Checks a presented client secret (RFC 6749 §2.3.1) against the stored hash in constant time.
 * An unknown client, a public client and a wrong secret do the same work and give the same
 * answer, so that the response does not reveal which client ids exist.
 */
export function verifyClientSecret(record: ClientRecord | null, presented: string): Promise<boolean> {
  return matchesHash(record?.client_secret_hash, presented);
}

/**
 * Checks a presented registration access token (RFC 7592 §3) the same way: an unknown client, a
 * client without a token (the operator's) and a wrong token do the same work and answer the same,
 * so the client configuration endpoint is no oracle for client ids (RFC 7592 §2).
 */
export function verifyRegistrationAccessToken(
  record: ClientRecord | null,
  presented: string,
): Promise<boolean> {
  return matchesHash(record?.registration_access_token_hash, presented);
}

/** Whether `presented` hashes to `expected`, with the same work when there is nothing to match. */
async function matchesHash(expected: string | undefined, presented: string): Promise<boolean> {
  const matches = await timingSafeEqual(await sha256(presented), expected ?? NO_SECRET_HASH);
  return matches && expected !== undefined;
}
