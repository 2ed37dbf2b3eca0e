import type { Context, Env, MiddlewareHandler } from "hono";
import { createRemoteJWKSet, type JWTVerifyGetKey } from "jose";
import { type BearerRealm, renderJsonError } from "../protocol/error-response";
import { OAuthError } from "../protocol/errors";
import { bearerChallenge } from "../protocol/www-authenticate";
import { verifyAccessToken, type VerifiedAccessToken } from "../tokens/verify-access-token";

/** What the middleware sets for the handlers after it: `c.get("accessToken")`. */
export interface AccessTokenVariables {
  accessToken: VerifiedAccessToken;
}

/** The context of a request the middleware guards. */
export type GuardedContext<E extends Env> = Context<E & { Variables: AccessTokenVariables }>;

/** A value fixed at setup, or computed per request (Gatehouse's issuer is the request origin). */
export type PerRequest<T, E extends Env> = T | ((c: GuardedContext<E>) => T);

export interface RequireAccessTokenOptions<E extends Env> {
  /** The authorization server's issuer identifier, or the issuers this resource trusts. */
  issuer: PerRequest<string | readonly string[], E>;
  /** This resource server's identifier(s), as clients name it in `resource` (RFC 8707). */
  audience: PerRequest<string | readonly string[], E>;
  /** The issuer's `jwks_uri`; its key set is fetched once per isolate and cached by jose. */
  jwksUri?: string | URL;
  /** Verification keys to use as they are (jose createLocalJWKSet or createRemoteJWKSet). */
  keys?: JWTVerifyGetKey;
  /** Verification keys that depend on the request, e.g. on its bindings. */
  keysFor?: (c: GuardedContext<E>) => JWTVerifyGetKey | Promise<JWTVerifyGetKey>;
  /** Scopes every request must carry (RFC 6750 §3.1 insufficient_scope otherwise). */
  scopes?: readonly string[];
  /** The challenge's realm; default: the first audience. */
  realm?: string;
  /**
   * The URL of this resource's protected resource metadata (RFC 9728 §5.1). When given, every
   * challenge names it, and names the required `scope` too, so that a client can discover the
   * authorization server and ask for the right scopes from a 401 alone (MCP authorization).
   */
  resourceMetadata?: PerRequest<string, E>;
  /**
   * Also accept the token as `access_token` in an application/x-www-form-urlencoded body of a
   * request other than GET (RFC 6750 §2.2; OpenID Connect's UserInfo endpoint). A request that
   * sends it both there and in the Authorization header is refused (RFC 6750 §2: one method).
   */
  formBody?: boolean;
}

/**
 * Remote key sets by URL, one per isolate: a protected request reads no storage and usually makes
 * no fetch. Through a key rotation (README "Key rotation"): a token whose `kid` the cached set
 * lacks makes jose refetch the JWKS, but at most once per JWKS_REFETCH_COOLDOWN_MS, so a flood
 * of tokens with made-up kids cannot turn into a flood of fetches; and the set is refetched
 * anyway once older than JWKS_CACHE_MAX_AGE_MS, so a key the issuer dropped stops verifying.
 * Gatehouse publishes a key a whole rotation period before signing with it, so the refetch on
 * an unknown kid is a second line of defence (for an on-demand rotation), not the first.
 */
const remoteKeySets = new Map<string, JWTVerifyGetKey>();

/** Between two fetches of a JWKS triggered by unknown kids. */
export const JWKS_REFETCH_COOLDOWN_MS = 30_000;
/** Age after which a cached JWKS is refetched before use (Gatehouse serves max-age=600). */
export const JWKS_CACHE_MAX_AGE_MS = 600_000;

export function remoteKeySet(uri: string | URL): JWTVerifyGetKey {
  const href = new URL(uri).href;
  let keySet = remoteKeySets.get(href);
  if (!keySet) {
    keySet = createRemoteJWKSet(new URL(href), {
      cooldownDuration: JWKS_REFETCH_COOLDOWN_MS,
      cacheMaxAge: JWKS_CACHE_MAX_AGE_MS,
    });
    remoteKeySets.set(href, keySet);
  }
  return keySet;
}

/** RFC 6750 §2.1: `Bearer b64token`; the scheme is case-insensitive (RFC 9110 §11.1). */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const SCHEME = /^Bearer(?: |$)/i;

/**
 * A Hono middleware that admits a request only with a valid RFC 9068 access token from
 * `issuer` for `audience`, and renders RFC 6750 §3 errors itself (it runs inside other Workers'
 * apps too). Depends on hono and jose only.
 */
export function requireAccessToken<E extends Env = Env>(
  options: RequireAccessTokenOptions<E>,
): MiddlewareHandler<E & { Variables: AccessTokenVariables }> {
  const sources = [options.jwksUri, options.keys, options.keysFor].filter((s) => s !== undefined);
  if (sources.length !== 1) {
    throw new TypeError("requireAccessToken needs exactly one of jwksUri, keys or keysFor");
  }
  const fixedKeys = options.jwksUri !== undefined ? remoteKeySet(options.jwksUri) : options.keys;
  const keysFor = fixedKeys !== undefined ? () => fixedKeys : options.keysFor!;
  return requireAccessTokenFrom(keysFor, options);
}

/** What requireAccessToken takes besides where the keys come from. */
export type AccessTokenGuardOptions<E extends Env> = Omit<
  RequireAccessTokenOptions<E>,
  "jwksUri" | "keys" | "keysFor"
>;

/**
 * requireAccessToken with the key source given as a function: what Gatehouse's own endpoints
 * use. Apart so that a Worker that never names a `jwksUri` (Gatehouse itself: its keys are
 * local) bundles none of jose's JWKS fetching; the bundler drops what no call reaches.
 */
export function requireAccessTokenFrom<E extends Env = Env>(
  keysFor: (c: GuardedContext<E>) => JWTVerifyGetKey | Promise<JWTVerifyGetKey>,
  options: AccessTokenGuardOptions<E>,
): MiddlewareHandler<E & { Variables: AccessTokenVariables }> {
  const scopes = options.scopes ?? [];

  return async (c, next) => {
    const audience = resolve(options.audience, c);
    const realm = options.realm ?? (typeof audience === "string" ? audience : audience[0]);
    const challenge: BearerRealm = { realm, scope: scopes };
    if (options.resourceMetadata !== undefined) {
      challenge.resourceMetadata = resolve(options.resourceMetadata, c);
      challenge.scopeInEveryChallenge = true;
    }
    let token: string | undefined;
    try {
      token = await presentedToken(c, options.formBody === true);
    } catch (err) {
      return errorResponse(c, err, challenge);
    }

    // RFC 6750 §3.1: a request without credentials (or with another scheme) gets a bare challenge.
    if (token === undefined) {
      return c.body(null, 401, {
        "WWW-Authenticate": bearerChallenge({
          realm,
          ...(challenge.scopeInEveryChallenge ? { scope: scopes } : {}),
          ...(challenge.resourceMetadata !== undefined
            ? { resourceMetadata: challenge.resourceMetadata }
            : {}),
        }),
        "Cache-Control": "no-store",
      });
    }

    try {
      const keys = await keysFor(c);
      const verified = await verifyAccessToken(token, {
        issuer: resolve(options.issuer, c),
        audience,
        keys,
        requiredScopes: scopes,
      });
      c.set("accessToken", verified);
    } catch (err) {
      return errorResponse(c, err, challenge);
    }
    await next();
  };
}

/**
 * The access token of the request: from `Authorization: Bearer` (RFC 6750 §2.1) or, when
 * allowed, the form body (§2.2); undefined when there is none. Throws invalid_request for a
 * malformed Bearer header, a repeated `access_token`, or both methods at once (§2, §3.1).
 */
async function presentedToken(c: Context, formBody: boolean): Promise<string | undefined> {
  const authorization = c.req.header("Authorization");
  // Another scheme (Basic, say) carries no bearer token: not a second method.
  const header = authorization !== undefined && SCHEME.test(authorization) ? authorization : undefined;
  const fromBody = formBody ? await formBodyToken(c) : undefined;
  if (header !== undefined && fromBody !== undefined) {
    throw new OAuthError(
      "invalid_request",
      "The access token was sent both in the Authorization header and in the body (RFC 6750 §2)",
    );
  }
  if (header === undefined) return fromBody;
  const token = BEARER.exec(header)?.[1];
  if (token === undefined) {
    throw new OAuthError("invalid_request", "The Authorization header is not a Bearer token");
  }
  return token;
}

/** RFC 6750 §2.2: `access_token` of an application/x-www-form-urlencoded body, not by GET. */
async function formBodyToken(c: Context): Promise<string | undefined> {
  if (c.req.method === "GET" || c.req.method === "HEAD") return undefined;
  const type = c.req.header("Content-Type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") return undefined;
  // Decoded from bytes: workerd warns when a form body is read as text.
  const body = new TextDecoder().decode(await c.req.arrayBuffer());
  const values = new URLSearchParams(body).getAll("access_token");
  if (values.length > 1) {
    throw new OAuthError("invalid_request", "The access_token parameter is repeated");
  }
  return values[0] === "" ? undefined : values[0];
}

function resolve<T, E extends Env>(value: PerRequest<T, E>, c: GuardedContext<E>): T {
  return typeof value === "function" ? (value as (c: GuardedContext<E>) => T)(c) : value;
}

function errorResponse(c: Context, err: unknown, challenge: BearerRealm): Response {
  if (!(err instanceof OAuthError)) throw err;
  return renderJsonError(c, err, challenge);
}
