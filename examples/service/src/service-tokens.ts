/**
 * Access tokens for a service, through the client credentials grant (RFC 6749 §4.4): the
 * service authenticates as itself (no user, no browser) and asks for one resource (RFC 8707) and
 * the scopes it needs. There is no refresh token (§4.4.3): a token is kept until shortly before
 * it expires, then the service simply asks again. oauth4webapi builds the requests and
 * validates the responses.
 */
import * as oauth from "oauth4webapi";

export interface ServiceCredentials {
  /** The Gatehouse issuer, e.g. https://login.example.com. */
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/** Seconds before `expires_in` runs out at which a cached token is no longer used. */
const EXPIRY_MARGIN_S = 30;

// #region tokens
export class ServiceTokens {
  #metadata: Promise<oauth.AuthorizationServer> | undefined;
  #cached: { token: string; expiresAt: number } | undefined;

  constructor(
    private readonly credentials: ServiceCredentials,
    private readonly request: { resource: string; scope: string },
  ) {}

  /** A valid access token for the resource: the cached one, or a new one. */
  async get(): Promise<string> {
    if (this.#cached && Date.now() < this.#cached.expiresAt) return this.#cached.token;
    const as = await this.#authorizationServer();
    const client = { client_id: this.credentials.clientId };
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      oauth.ClientSecretBasic(this.credentials.clientSecret),
      { resource: this.request.resource, scope: this.request.scope },
      httpOnLoopback(this.credentials.issuer),
    );
    const tokens = await oauth.processClientCredentialsResponse(as, client, response);
    const lifetime = (tokens.expires_in ?? 0) - EXPIRY_MARGIN_S;
    this.#cached = { token: tokens.access_token, expiresAt: Date.now() + lifetime * 1000 };
    return tokens.access_token;
  }

  /** Drops the cached token (the API refused it: say, the signing key was rotated away). */
  forget(): void {
    this.#cached = undefined;
  }

  /** RFC 8414 metadata, fetched once: where the token endpoint is. */
  #authorizationServer(): Promise<oauth.AuthorizationServer> {
    const issuer = new URL(this.credentials.issuer);
    this.#metadata ??= oauth
      .discoveryRequest(issuer, { algorithm: "oauth2", ...httpOnLoopback(issuer.href) })
      .then((response) => oauth.processDiscoveryResponse(issuer, response));
    // A failed discovery is not kept: the next call tries again.
    this.#metadata.catch(() => (this.#metadata = undefined));
    return this.#metadata;
  }
}
// #endregion

/**
 * oauth4webapi refuses plain http; a Gatehouse on this machine (`npm run dev`) is served over
 * http, so it is allowed for loopback issuers only, never for a deployed one.
 */
function httpOnLoopback(issuer: string): { [oauth.allowInsecureRequests]?: boolean } {
  const url = new URL(issuer);
  const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  return url.protocol === "http:" && loopback ? { [oauth.allowInsecureRequests]: true } : {};
}
