// OWNER: helper A (clients & users). Key layout of the CLIENTS namespace lives here only.
export type TokenEndpointAuthMethod = "client_secret_basic" | "client_secret_post" | "none";

/** RFC 7591 §2 client metadata, normalised (defaults filled in) at registration. */
export interface ClientMetadata {
  redirect_uris: string[];
  client_name?: string;
  client_uri?: string;
  logo_uri?: string;
  contacts?: string[];
  /** Default ["authorization_code"]; add "refresh_token" to receive refresh tokens. */
  grant_types: string[];
  /** Always ["code"]. */
  response_types: string[];
  token_endpoint_auth_method: TokenEndpointAuthMethod;
  /** Space-separated scopes the client may ask for (RFC 7591 §2). */
  scope: string;
  /** RFC 8707 resources the client may ask for; absent: every configured resource. */
  resources?: string[];
}

export interface ClientRecord {
  client_id: string;
  /** Seconds since the epoch (RFC 7591 §3.2.1). */
  client_id_issued_at: number;
  /** SHA-256 (base64url) of the secret; absent for public clients (auth method "none"). */
  client_secret_hash?: string;
  metadata: ClientMetadata;
}

export async function getClient(_env: Env, _clientId: string): Promise<ClientRecord | null> {
  throw new Error("not implemented");
}
