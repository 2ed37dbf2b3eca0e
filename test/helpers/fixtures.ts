/**
 * Shared fixtures for every test: a registered client, a user who can log in. They go through
 * the admin API over HTTP, the way an operator would set up a deployment.
 */
import type { ClientInformationResponse } from "../../src/oauth/client-registration";
import type { ClientMetadata } from "../../src/storage/clients";
import { admin } from "./http";

/** The RFC 7591 §3.2.1 client information response, as the admin API answers it. */
export type ClientInformation = ClientInformationResponse;

export interface TestClient {
  client_id: string;
  /** Present for confidential clients only; shown once, at registration. */
  client_secret?: string;
  /** The first registered redirect URI. */
  redirect_uri: string;
  metadata: ClientInformation;
}

export interface TestUser {
  sub: string;
  username: string;
  password: string;
}

export interface UserOverrides {
  username?: string;
  password?: string;
  email?: string;
  name?: string;
}

const unique = () => crypto.randomUUID();

/**
 * Registers a client. Default: confidential (client_secret_basic), redirect URI
 * https://rp.example/cb, grant types authorization_code and refresh_token,
 * scope "openid profile email".
 */
export async function createClient(overrides: Partial<ClientMetadata> = {}): Promise<TestClient> {
  const body: Partial<ClientMetadata> = {
    client_name: `Test client ${unique().slice(0, 8)}`,
    redirect_uris: ["https://rp.example/cb"],
    grant_types: ["authorization_code", "refresh_token"],
    token_endpoint_auth_method: "client_secret_basic",
    scope: "openid profile email",
    ...overrides,
  };
  const res = await admin("POST", "/clients", body);
  if (res.status !== 201) {
    throw new Error(`createClient fixture: ${res.status} ${await res.text()}`);
  }
  const metadata = (await res.json()) as ClientInformation;
  const redirectUri = metadata.redirect_uris[0];
  if (redirectUri === undefined) throw new Error("createClient fixture: no redirect URI");
  return {
    client_id: metadata.client_id,
    ...(metadata.client_secret === undefined ? {} : { client_secret: metadata.client_secret }),
    redirect_uri: redirectUri,
    metadata,
  };
}

/** Registers a public client (token_endpoint_auth_method "none": PKCE only, no secret). */
export function createPublicClient(overrides: Partial<ClientMetadata> = {}): Promise<TestClient> {
  return createClient({ token_endpoint_auth_method: "none", ...overrides });
}

/**
 * Registers a client for one token_endpoint_auth_method (RFC 7591 §2), refresh tokens allowed:
 * a public client for "none", a confidential one otherwise.
 */
export function createClientUsing(method: string): Promise<TestClient> {
  return method === "none"
    ? createPublicClient()
    : createClient({ token_endpoint_auth_method: method as ClientMetadata["token_endpoint_auth_method"] });
}

/** Creates a user with a random username and password; returns the password in clear. */
export async function createUser(overrides: UserOverrides = {}): Promise<TestUser> {
  const input = {
    username: `user-${unique()}`,
    password: `pw-${unique()}`,
    ...overrides,
  };
  const res = await admin("POST", "/users", input);
  if (res.status !== 201) {
    throw new Error(`createUser fixture: ${res.status} ${await res.text()}`);
  }
  const user = (await res.json()) as { sub: string; username: string };
  return { sub: user.sub, username: user.username, password: input.password };
}

/** `Authorization: Basic …` for client_secret_basic: both parts form-urlencoded (RFC 6749 §2.3.1). */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, "+");
  return `Basic ${btoa(`${encode(clientId)}:${encode(clientSecret)}`)}`;
}
