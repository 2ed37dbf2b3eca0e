import type { Context, Env, MiddlewareHandler } from "hono";
import { Hono } from "hono/tiny";
import { cors } from "hono/cors";
import { base64url, type JWTVerifyGetKey } from "jose";
import { JWKSNoMatchingKey } from "jose/errors";
import {
  type AccessTokenVariables,
  type GuardedContext,
  remoteKeySet,
  requireAccessTokenFrom,
} from "./bearer-auth";

/**
 * RFC 9728: a protected resource that says who it is and which authorization servers it trusts,
 * and whose 401s point there, so that a client (an MCP client, say) needs nothing but the
 * resource's URL.
 */

/** A value fixed at setup, or computed per request (Gatehouse's own API: its issuer). */
export type FromRequest<T, E extends Env> = T | ((c: Context<E>) => T);

export interface ProtectedResourceOptions<E extends Env> {
  /** The canonical resource URI (RFC 9728 §1.2, RFC 8707 §2); tokens' `aud` must contain it. */
  resource: FromRequest<string, E>;
  /** The issuer identifiers of the authorization servers whose tokens this resource accepts. */
  authorizationServers: FromRequest<readonly string[], E>;
  /** One key set for every issuer; default: each issuer's `<issuer>/jwks.json`. */
  jwksUri?: string | URL;
  /** Verification keys to use as they are (jose createLocalJWKSet or createRemoteJWKSet). */
  keys?: JWTVerifyGetKey;
  /** Verification keys that depend on the request, e.g. on its bindings. */
  keysFor?: (c: GuardedContext<E>) => JWTVerifyGetKey | Promise<JWTVerifyGetKey>;
  /** `scopes_supported` (RFC 9728 §2): the scopes clients may ask for this resource. */
  scopesSupported?: readonly string[];
  /** `resource_name` (RFC 9728 §2): a human-readable name. */
  resourceName?: string;
}

export interface ProtectedResource<E extends Env> {
  /** Serves the metadata at the path-aware well-known URI and at the root one (RFC 9728 §3.1). */
  metadataRoutes: Hono<E>;
  /**
   * Admits a request only with a token from a listed authorization server whose `aud` contains
   * the resource and whose scope holds every one of `scopes`; otherwise a challenge naming the
   * metadata (RFC 9728 §5.1) and the scopes (RFC 6750 §3).
   */
  requireAccessToken(options?: {
    scopes?: readonly string[];
  }): MiddlewareHandler<E & { Variables: AccessTokenVariables }>;
}

/** RFC 9728 §3: the well-known URI suffix. */
export const PROTECTED_RESOURCE_WELL_KNOWN = "/.well-known/oauth-protected-resource";

/**
 * RFC 9728 §3.1: the metadata URL of a resource, the well-known suffix inserted between its
 * host and its path (a terminating slash dropped); a resource without a path has the root form.
 */
export function protectedResourceMetadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === "/" ? "" : url.pathname.replace(/\/$/, "");
  return `${url.origin}${PROTECTED_RESOURCE_WELL_KNOWN}${path}${url.search}`;
}

/** The metadata is public and the same for everyone: cacheable, but briefly (RFC 9728 §3). */
const METADATA_CACHE_CONTROL = "public, max-age=300";

export function protectedResource<E extends Env = Env>(
  options: ProtectedResourceOptions<E>,
): ProtectedResource<E> {
  const sources = [options.jwksUri, options.keys, options.keysFor].filter((s) => s !== undefined);
  if (sources.length > 1) {
    throw new TypeError("protectedResource takes at most one of jwksUri, keys or keysFor");
  }
  const fixedKeys = options.jwksUri !== undefined ? remoteKeySet(options.jwksUri) : options.keys;
  const keysFor =
    fixedKeys !== undefined
      ? () => fixedKeys
      : (options.keysFor ??
        ((c: GuardedContext<E>) =>
          issuerKeys(fromRequest(options.authorizationServers, unguarded(c)))));
  return protectedResourceFrom(keysFor, options);
}

/**
 * protectedResource with the key source given as a function: Gatehouse's own example API, whose
 * keys are local, so that its bundle carries no JWKS fetching (see requireAccessTokenFrom).
 */
export function protectedResourceFrom<E extends Env = Env>(
  keysFor: (c: GuardedContext<E>) => JWTVerifyGetKey | Promise<JWTVerifyGetKey>,
  options: Omit<ProtectedResourceOptions<E>, "jwksUri" | "keys" | "keysFor">,
): ProtectedResource<E> {
  if (typeof options.resource === "string") checkResource(options.resource);
  const resource = (c: Context<E>) => fromRequest(options.resource, c);
  const authorizationServers = (c: Context<E>) => fromRequest(options.authorizationServers, c);

  const metadataRoutes = new Hono<E>();
  const routes = [PROTECTED_RESOURCE_WELL_KNOWN, `${PROTECTED_RESOURCE_WELL_KNOWN}/*`];
  // A client on another origin (a browser-based MCP client) reads it too.
  metadataRoutes.use(routes[0]!, cors({ origin: "*", allowMethods: ["GET", "HEAD", "OPTIONS"] }));
  metadataRoutes.use(routes[1]!, cors({ origin: "*", allowMethods: ["GET", "HEAD", "OPTIONS"] }));
  for (const route of routes) {
    metadataRoutes.get(route, async (c, next) => {
      const id = resource(c);
      const own = new URL(protectedResourceMetadataUrl(id)).pathname;
      // Another resource's document (several may share a Worker): leave it to their routes.
      if (c.req.path !== own && c.req.path !== PROTECTED_RESOURCE_WELL_KNOWN) return next();
      return c.json(metadataDocument(id, authorizationServers(c), options), 200, {
        "Cache-Control": METADATA_CACHE_CONTROL,
      });
    });
  }

  return {
    metadataRoutes,
    requireAccessToken: ({ scopes = [] } = {}) =>
      requireAccessTokenFrom<E>(keysFor, {
        issuer: (c) => authorizationServers(unguarded(c)),
        // RFC 8707 §2, RFC 9068 §4: a token for another resource is invalid_token here.
        audience: (c) => resource(unguarded(c)),
        scopes,
        resourceMetadata: (c) => protectedResourceMetadataUrl(resource(unguarded(c))),
      }),
  };
}

/** RFC 9728 §2. */
function metadataDocument<E extends Env>(
  resource: string,
  authorizationServers: readonly string[],
  options: ProtectedResourceOptions<E>,
): Record<string, unknown> {
  return {
    resource,
    authorization_servers: authorizationServers,
    ...(options.scopesSupported !== undefined ? { scopes_supported: options.scopesSupported } : {}),
    // RFC 6750 §2.1 only: the body and the query are not read.
    bearer_methods_supported: ["header"],
    ...(options.resourceName !== undefined ? { resource_name: options.resourceName } : {}),
  };
}

/**
 * RFC 8707 §2: an absolute URI without a fragment; RFC 9728 §1.2: https (http on a loopback
 * host for local development only).
 */
function checkResource(resource: string): void {
  const url = URL.parse(resource);
  const loopback = url !== null && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  if (
    url === null ||
    url.hash !== "" ||
    resource.includes("#") ||
    !(url.protocol === "https:" || (url.protocol === "http:" && loopback))
  ) {
    throw new TypeError(
      `protectedResource: resource must be an https URI without a fragment: ${resource}`,
    );
  }
}

/**
 * Each trusted issuer's key set, at `<issuer>/jwks.json` (Gatehouse's jwks_uri). The key set is
 * chosen by the token's (unverified) `iss`, only among the trusted issuers, so a token naming
 * any other issuer never makes the resource fetch anything; `iss` itself is verified after.
 */
function issuerKeys(issuers: readonly string[]): JWTVerifyGetKey {
  return (header, token) => {
    const iss = unverifiedIssuer(token.payload);
    if (iss === undefined || !issuers.includes(iss)) {
      throw new JWKSNoMatchingKey("The access token's issuer is not trusted here");
    }
    return remoteKeySet(`${iss.replace(/\/$/, "")}/jwks.json`)(header, token);
  };
}

function unverifiedIssuer(payload: string | Uint8Array): string | undefined {
  try {
    const bytes = typeof payload === "string" ? base64url.decode(payload) : payload;
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    const iss = (claims as { iss?: unknown } | null)?.iss;
    return typeof iss === "string" ? iss : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The guarded context is the request's context with one more variable (`accessToken`); TypeScript
 * cannot see that for a generic E, so the option callbacks, written for Context<E>, get it so.
 */
function unguarded<E extends Env>(c: GuardedContext<E>): Context<E> {
  return c as unknown as Context<E>;
}

function fromRequest<T, E extends Env>(value: FromRequest<T, E>, c: Context<E>): T {
  return typeof value === "function" ? (value as (c: Context<E>) => T)(c) : value;
}
