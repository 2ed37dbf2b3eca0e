// Client authentication at the token, revocation and introspection endpoints.
import type { Context } from "hono";
import { countFailure, lockedFor } from "../auth/failure-throttle";
import { addressKey } from "../auth/address-key";
import type { AppEnv } from "../http/app-env";
import type { Params } from "../http/params";
import { securityEvent } from "../http/security-events";
import {
  type ClientRecord,
  type TokenEndpointAuthMethod,
  getClient,
  verifyClientSecret,
} from "../storage/clients";
import { OAuthError } from "../protocol/errors";

/** What the client presented, before anything was looked up. */
export type ClientCredentials =
  | { method: "client_secret_basic" | "client_secret_post"; clientId: string; secret: string }
  | { method: "none"; clientId: string };

/** RFC 6749 §5.2: when the client tried the Authorization header, the 401 names the scheme. */
const BASIC_CHALLENGE = { "WWW-Authenticate": 'Basic realm="gatehouse"' };

/**
 * One answer for unknown client, wrong secret and wrong method: nothing to enumerate. Always 401
 * with a challenge: RFC 6749 §5.2 requires it after a Basic attempt and allows it otherwise, and
 * RFC 9110 §15.5.2 requires WWW-Authenticate on every 401.
 */
function invalidClient(): OAuthError {
  return new OAuthError("invalid_client", "Client authentication failed", {
    status: 401,
    headers: BASIC_CHALLENGE,
  });
}

/**
 * The answer once a client's secret has failed too often (src/auth/throttle-policy.ts): the same
 * RFC 6749 §5.2 `invalid_client` body, with RFC 6585 §4 status 429 and RFC 9110 §10.2.3
 * Retry-After, given without checking the secret.
 */
function clientThrottled(clientId: string, endpoint: string, retryAfter: number): OAuthError {
  securityEvent("client_auth.throttled", {
    client_id: clientId,
    endpoint,
    retry_after: retryAfter,
  });
  return new OAuthError("invalid_client", "Client authentication failed", {
    status: 429,
    headers: { "Retry-After": String(retryAfter) },
  });
}

/**
 * Reads the client's credentials from the Authorization header and the body, refusing requests
 * that use more than one method (RFC 6749 §2.3: "MUST NOT use more than one authentication
 * method in each request").
 */
export function parseClientCredentials(
  authorization: string | undefined,
  params: Params,
): ClientCredentials {
  const bodyId = params.get("client_id");
  const bodySecret = params.get("client_secret");

  if (authorization !== undefined) {
    const basic = parseBasic(authorization);
    if (bodySecret !== undefined) {
      throw new OAuthError(
        "invalid_request",
        "The client used more than one authentication method (RFC 6749 §2.3)",
      );
    }
    // Two identities in one request: neither is authenticated, so the authentication fails
    // (RFC 6749 §5.2 invalid_client, with the Basic challenge since Basic was tried).
    if (bodyId !== undefined && bodyId !== basic.clientId) throw invalidClient();
    return { method: "client_secret_basic", ...basic };
  }
  if (bodyId === undefined) {
    // RFC 6749 §5.2: "no client authentication included" is invalid_client.
    throw new OAuthError("invalid_client", "Client authentication is required", {
      status: 401,
      headers: BASIC_CHALLENGE,
    });
  }
  return bodySecret === undefined
    ? { method: "none", clientId: bodyId }
    : { method: "client_secret_post", clientId: bodyId, secret: bodySecret };
}

/**
 * RFC 6749 §2.3.1 (client_secret_basic, RFC 7617): `Basic base64(id ":" secret)`, where id and
 * secret are each application/x-www-form-urlencoded before being joined (so a ':' in the id is
 * %3A, '+' is a space). Anything malformed is a failed authentication, not a server error.
 */
function parseBasic(authorization: string): { clientId: string; secret: string } {
  const match = /^Basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i.exec(authorization);
  if (!match?.[1]) throw invalidClient();
  let decoded: string;
  try {
    const bytes = Uint8Array.from(atob(match[1]), (ch) => ch.charCodeAt(0));
    decoded = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw invalidClient();
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) throw invalidClient();
  const clientId = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  if (!clientId || !secret) throw invalidClient();
  return { clientId, secret };
}

/** application/x-www-form-urlencoded decoding of one value; undefined when malformed. */
function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

/**
 * Authenticates the client of a token-endpoint request and returns its registration. The method
 * used must be the one the client registered (RFC 7591 §2 token_endpoint_auth_method); public
 * clients ("none") send only their client_id and prove possession through PKCE instead.
 * An unknown client, a wrong secret and a wrong method give the same `invalid_client`, after the
 * same work (verifyClientSecret hashes even when there is no client).
 */
export async function authenticateClient(
  c: Context<AppEnv>,
  params: Params,
): Promise<ClientRecord> {
  const credentials = parseClientCredentials(c.req.header("Authorization"), params);
  const endpoint = c.req.path;
  const ip = c.req.header("CF-Connecting-IP");
  const context = { address: ip ? addressKey(ip) : "-" };
  // A client locked after wrong secrets is refused from this isolate's memory: no storage read,
  // no hashing. A success never reaches the throttle's Durable Object.
  const locked =
    credentials.method === "none" ? undefined : lockedFor("client", credentials.clientId, context);
  if (locked !== undefined) throw clientThrottled(credentials.clientId, endpoint, locked);
  const client = await getClient(c.env, credentials.clientId);

  const authenticated =
    credentials.method === "none"
      ? client !== null && client.client_secret_hash === undefined
      : await verifyClientSecret(client, credentials.secret);
  if (!authenticated || client === null || !usesMethod(client, credentials.method)) {
    securityEvent("client_auth.failed", {
      client_id: credentials.clientId,
      endpoint,
      ...(ip ? { ip } : {}),
    });
    // Only a wrong secret of a client that has one is counted: there is nothing to guess
    // otherwise, and counting it would let anyone lock a public client out of every browser.
    if (credentials.method !== "none" && client?.client_secret_hash !== undefined) {
      const refused = await countFailure(c.env, "client", client.client_id, context);
      if (refused !== undefined) throw clientThrottled(client.client_id, endpoint, refused);
    }
    throw invalidClient();
  }
  return client;
}

function usesMethod(client: ClientRecord, method: TokenEndpointAuthMethod): boolean {
  return client.metadata.token_endpoint_auth_method === method;
}
