// Client authentication at the token, revocation and introspection endpoints.
import type { Context } from "hono";
import { countFailure, lockedFor } from "../auth/failure-throttle";
import { addressKey } from "../auth/address-key";
import type { AppEnv } from "../http/app-env";
import type { Params } from "../http/params";
import { securityEvent } from "../http/security-events";
import type { ClientRecord } from "../storage/clients";
import { OAuthError } from "../protocol/errors";
import { presentedMethod } from "./client-auth";
import { type ClientAuthMethod, type PresentedCredentials, invalidClient } from "./client-auth/method";
import { systemClock } from "./clock";
import { findClient } from "./client-lookup";

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
 * Reads the client's credentials from the Authorization header and the body with the one method
 * the request uses (src/oauth/client-auth/index.ts presentedMethod, RFC 6749 §2.3).
 */
export function parseClientCredentials(
  authorization: string | undefined,
  params: Params,
): { method: ClientAuthMethod; credentials: PresentedCredentials } {
  const request = { authorization, params };
  const method = presentedMethod(request);
  return { method, credentials: method.read(request) };
}

/**
 * Authenticates the client of a token-endpoint request and returns its registration. The method
 * used must be the one the client registered (RFC 7591 §2 token_endpoint_auth_method); public
 * clients ("none") send only their client_id and prove possession through PKCE instead.
 * An unknown client, wrong credentials and a wrong method give the same `invalid_client`, after
 * the same work (each method verifies even when there is no client).
 */
export async function authenticateClient(
  c: Context<AppEnv>,
  params: Params,
): Promise<ClientRecord> {
  const { method, credentials } = parseClientCredentials(c.req.header("Authorization"), params);
  const endpoint = c.req.path;
  const ip = c.req.header("CF-Connecting-IP");
  const context = { address: ip ? addressKey(ip) : "-" };
  // A client locked after wrong secrets is refused from this isolate's memory: no storage read,
  // no hashing. A success never reaches the throttle's Durable Object.
  const locked = method.sharedSecret ? lockedFor("client", credentials.clientId, context) : undefined;
  if (locked !== undefined) throw clientThrottled(credentials.clientId, endpoint, locked);
  const client = await findClient(c.get("stores"), c.get("config"), credentials.clientId);

  const issuer = c.get("issuer");
  const verification = { issuer, endpoint: `${issuer}${endpoint}`, clock: systemClock };
  const authenticated = await method.verify(credentials, client, verification);
  const registered = client?.metadata.token_endpoint_auth_method === method.name;
  if (!authenticated || client === null || !registered) {
    securityEvent("client_auth.failed", {
      client_id: credentials.clientId,
      endpoint,
      ...(ip ? { ip } : {}),
    });
    // Only a wrong secret of a client that has one is counted: there is nothing to guess
    // otherwise, and counting it would let anyone lock a public client out of every browser.
    if (method.sharedSecret && client?.client_secret_hash !== undefined) {
      const refused = await countFailure(c.get("stores"), "client", client.client_id, context);
      if (refused !== undefined) throw clientThrottled(client.client_id, endpoint, refused);
    }
    throw invalidClient();
  }
  return client;
}
