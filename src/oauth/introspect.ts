// RFC 7662: the token introspection endpoint.
import type { Context } from "hono";
import { Hono } from "hono/tiny";
import type { AppEnv } from "../http/app-env";
import { limitBody } from "../http/body-limit";
import { NO_STORE, onJsonError } from "../http/on-error";
import { readParams } from "../http/params";
import { type ClientRecord, getClient } from "../storage/clients";
import { getCurrentRefreshToken, getGrantStatus } from "../storage/grants";
import { readRefreshToken } from "../storage/refresh-tokens";
import { getUser } from "../storage/users";
import { getVerificationKeys } from "../storage/keys";
import type { AccessTokenPayload, ActorClaim } from "../tokens/access-token";
import { readOwnAccessToken } from "../tokens/own-access-token";
import { CONFIDENTIAL_AUTH_METHOD_NAMES, isConfidential } from "./client-auth";
import { invalidClient } from "./client-auth/method";
import { authenticateClient } from "./client-authentication";
import { OAuthError } from "../protocol/errors";
import { mayIntrospect } from "./introspection-policy";
import { formatScope } from "../protocol/scope";
import { subjectClientId } from "../protocol/client-subject";

/** RFC 7662 §2.2: the introspection response. */
export type IntrospectionResponse =
  | { active: false }
  | {
      active: true;
      scope: string;
      client_id: string;
      sub: string;
      exp: number;
      iat?: number;
      iss: string;
      aud?: string | string[];
      token_type: "Bearer" | "refresh_token";
      jti?: string;
      /** RFC 8693 §4.1: who acts for `sub` (an exchanged token). */
      act?: ActorClaim;
    };

const INACTIVE: IntrospectionResponse = { active: false };

/**
 * Who may introspect: *confidential* clients (RFC 6749 §2.1; src/oauth/client-auth) only.
 * Public clients ("none") are refused with invalid_client: they prove nothing but a public
 * client_id, and RFC 7662 §4 requires the endpoint to be protected so that it is no
 * token-scanning oracle. Which tokens each may ask about: src/oauth/introspection-policy.ts.
 */
export const INTROSPECTION_AUTH_METHODS = CONFIDENTIAL_AUTH_METHOD_NAMES;

export const introspectRoutes = new Hono<AppEnv>().onError(onJsonError);

// No CORS: callers are resource servers holding a client secret, never browsers.
introspectRoutes.post("/introspect", limitBody(), async (c) => {
  const params = await readParams(c);
  const client = await authenticateClient(c, params);
  if (!isConfidential(client)) {
    // The same answer as any failed authentication: nothing tells which clients are public.
    throw invalidClient();
  }
  // RFC 7662 §2.1: `token` REQUIRED; `token_type_hint` OPTIONAL, and refresh and access tokens
  // cannot be mistaken for each other, so it is not needed (an unknown value is ignored).
  const token = params.require("token");
  const response = await introspect(c, client, token);
  // RFC 7662 §2.2, §4: the answer describes a live credential and must not be cached.
  return c.json(response, 200, NO_STORE);
});

/**
 * Active only when the grant's Durable Object, the authority, says the token still stands and
 * its user still exists.
 */
async function introspect(
  c: Context<AppEnv>,
  caller: ClientRecord,
  token: string,
): Promise<IntrospectionResponse> {
  const now = Math.floor(Date.now() / 1000);
  const refreshToken = await readRefreshToken(token);
  if (refreshToken !== null) {
    const current = await getCurrentRefreshToken(
      c.get("stores"),
      refreshToken.sub,
      refreshToken.grantId,
      refreshToken.hash,
      now,
    );
    // Refresh tokens are introspected only by the client they were issued to: resource servers
    // never hold them, and anyone else asking (a thief checking a stolen token without using it,
    // and so without tripping reuse detection) learns nothing.
    if (!current.current || current.grant.clientId !== caller.client_id) return INACTIVE;
    // A deleted user's tokens stop working (the token endpoint refuses them too).
    if ((await getUser(c.get("stores"), current.grant.sub)) === null) return INACTIVE;
    return {
      active: true,
      client_id: current.grant.clientId,
      sub: current.grant.sub,
      scope: formatScope(current.grant.scope),
      exp: current.expiresAt,
      iss: c.get("issuer"),
      token_type: "refresh_token",
    };
  }

  // Signature, `typ` and issuer (readOwnAccessToken), expiry here, then the grant.
  const keys = await getVerificationKeys(c.get("stores"));
  const claims = await readOwnAccessToken(keys, token, c.get("issuer"));
  if (claims === null || claims.exp <= now) return INACTIVE;
  // RFC 7662 §4: decided before any storage is asked, so a refusal costs nothing and tells nothing.
  if (!mayIntrospect(caller, claims)) return INACTIVE;
  const grantId = claims.grant_id;
  if (grantId === undefined) {
    // A token no user granted (client credentials, RFC 6749 §4.4): `sub` is a client's, never a
    // user's (RFC 9700 §4.15), and it stands until it expires while its clients exist.
    const subjectClient = subjectClientId(claims.sub);
    if (subjectClient === undefined) return INACTIVE;
    const [subject, actor] = await Promise.all([
      getClient(c.get("stores"), subjectClient),
      getClient(c.get("stores"), claims.client_id),
    ]);
    return subject === null || actor === null ? INACTIVE : activeAccessToken(claims);
  }
  const [status, user] = await Promise.all([
    getGrantStatus(c.get("stores"), claims.sub, grantId),
    getUser(c.get("stores"), claims.sub),
  ]);
  if (status.state !== "active" || user === null) return INACTIVE;
  return activeAccessToken(claims);
}

function activeAccessToken(claims: AccessTokenPayload): IntrospectionResponse {
  return {
    active: true,
    scope: claims.scope,
    client_id: claims.client_id,
    sub: claims.sub,
    exp: claims.exp,
    iat: claims.iat,
    iss: claims.iss,
    aud: claims.aud,
    token_type: "Bearer",
    jti: claims.jti,
    ...(claims.act === undefined ? {} : { act: claims.act }),
  };
}

// RFC 7662 §2.1: "The protected resource calls the introspection endpoint using an HTTP POST".
introspectRoutes.all("/introspect", () => {
  throw new OAuthError("invalid_request", "The introspection endpoint accepts POST only", {
    status: 405,
    headers: { Allow: "POST" },
  });
});
