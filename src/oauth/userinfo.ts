// OpenID Connect Core §5.3: the UserInfo endpoint.
import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { cors } from "hono/cors";
import type { AppEnv } from "../http/app-env";
import { limitBody } from "../http/body-limit";
import {
  type AccessTokenVariables,
  type GuardedContext,
  requireAccessTokenFrom,
} from "../resource/bearer-auth";
import { getGrantStatus } from "../storage/grants";
import { getUser } from "../storage/users";
import { standardClaims } from "../tokens/issue";
import { getVerificationKeys } from "../storage/keys";
import { onJsonError } from "../http/on-error";
import { renderJsonError } from "../protocol/error-response";
import { OAuthError } from "../protocol/errors";

type UserinfoEnv = AppEnv & { Variables: AccessTokenVariables };

export const userinfoRoutes = new Hono<AppEnv>().onError(onJsonError);

// Called with a bearer token, never cookies: any origin may call it (OIDC Core §5.3.1 allows
// browser-based clients, which need CORS).
userinfoRoutes.use(
  "/userinfo",
  cors({
    origin: "*",
    allowMethods: ["GET", "POST"],
    allowHeaders: ["Authorization", "Content-Type"],
    // Browser clients need the challenge to tell an expired token from a missing scope.
    exposeHeaders: ["WWW-Authenticate"],
    maxAge: 600,
  }),
);

/** Gatehouse's own public keys, cached per isolate: verifying reads no storage. */
const ownKeys = (c: GuardedContext<AppEnv>) => getVerificationKeys(c.get("stores"));

/**
 * OIDC Core §5.3.1: an access token for Gatehouse itself (audience = the issuer, RFC 9068 §3,
 * like /api/me) carrying `openid`; 401 invalid_token / 403 insufficient_scope otherwise
 * (RFC 6750 §3.1, rendered by the middleware). The token comes in the Authorization header or,
 * by POST, in the form body (RFC 6750 §2.1, §2.2; OIDC Core §5.3.1), never both; the query
 * method (§2.3) is not offered: a token in a URI ends up in logs.
 */
const requireOpenIdToken = requireAccessTokenFrom<AppEnv>(ownKeys, {
  issuer: (c) => c.get("issuer"),
  audience: (c) => c.get("issuer"),
  scopes: ["openid"],
  formBody: true,
});

/**
 * The claims of the token's scopes (OIDC Core §5.4), for a user who still exists and a grant
 * that is still active. Unlike /api/me this asks the grant's Durable Object, one round trip:
 * userinfo is not on the hot path, and a revoked grant must stop releasing the user's claims.
 */
async function userinfo(c: Context<UserinfoEnv>): Promise<Response> {
  const token = c.get("accessToken");
  const grantId = token.claims.grant_id;
  const [status, user] = await Promise.all([
    typeof grantId === "string" ? getGrantStatus(c.get("stores"), token.sub, grantId) : null,
    getUser(c.get("stores"), token.sub),
  ]);
  if (status?.state !== "active") return invalidToken(c, "The access token was revoked");
  if (user === null) return invalidToken(c, "The user no longer exists");
  // OIDC Core §5.3.2: `sub` always; the response is about a live user and is not cached.
  return c.json({ sub: token.sub, ...standardClaims(user, token.scopes) }, 200, {
    "Cache-Control": "no-store",
  });
}

/** RFC 6750 §3.1, as the middleware renders it: 401 with a Bearer challenge. */
function invalidToken(c: Context<UserinfoEnv>, description: string): Response {
  return renderJsonError(c, new OAuthError("invalid_token", description), {
    realm: c.get("issuer"),
  });
}

// OIDC Core §5.3.1: "The UserInfo Endpoint MUST support the use of the HTTP methods GET and POST".
userinfoRoutes.get("/userinfo", requireOpenIdToken, userinfo);
userinfoRoutes.post("/userinfo", limitBody(), requireOpenIdToken, userinfo);
