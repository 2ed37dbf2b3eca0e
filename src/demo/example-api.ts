import { Hono } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "../http/app-env";
import { requireAccessToken } from "../resource";
import { getVerificationKeys } from "../storage/keys";

/**
 * An example protected API served by Gatehouse itself: a token issued without a `resource`
 * has the issuer as its audience (RFC 9068 §3), so this API's identifier is the issuer.
 * Verification uses the isolate's cached public keys: no storage read per request. It is built
 * on the package other Workers import (`gatehouse/resource`) but is not part of it.
 */
export const exampleApiRoutes = new Hono<AppEnv>();

// Browser-based clients call APIs cross-origin with a bearer token (never cookies).
exampleApiRoutes.use(
  "/api/*",
  cors({
    origin: "*",
    allowMethods: ["GET"],
    allowHeaders: ["Authorization"],
    exposeHeaders: ["WWW-Authenticate"],
    maxAge: 600,
  }),
);

exampleApiRoutes.get(
  "/api/me",
  requireAccessToken<AppEnv>({
    issuer: (c) => c.get("issuer"),
    audience: (c) => c.get("issuer"),
    keysFor: (c) => getVerificationKeys(c.get("stores")),
  }),
  (c) => {
    const token = c.get("accessToken");
    return c.json(
      { sub: token.sub, client_id: token.clientId, scope: token.scopes.join(" ") },
      200,
      { "Cache-Control": "no-store" },
    );
  },
);
