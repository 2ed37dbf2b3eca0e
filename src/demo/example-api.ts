import { Hono } from "hono/tiny";
import { cors } from "hono/cors";
import type { AppEnv } from "../http/app-env";
import type { GuardedContext } from "../resource/bearer-auth";
import { protectedResourceFrom } from "../resource/protected-resource";
import { getVerificationKeys } from "../storage/keys";

/**
 * An example protected API served by Gatehouse itself: a token issued without a `resource`
 * has the issuer as its audience (RFC 9068 §3), so this API's identifier is the issuer.
 * Verification uses the isolate's cached public keys: no storage read per request. It is built
 * on the package other Workers import (`gatehouse/resource`) but is not part of it.
 *
 * Its protected resource metadata (RFC 9728) is at the root well-known URI: the resource is the
 * issuer, an origin without a path, and RFC 9728 §3.1 derives the root form from it (a document
 * at `/.well-known/oauth-protected-resource/api/me` would have to name `<issuer>/api/me` as its
 * `resource`, §3.3, which is not the tokens' audience).
 */
export const exampleApiRoutes = new Hono<AppEnv>();

/** Gatehouse's own public keys, cached per isolate: verifying reads no storage. */
const ownKeys = (c: GuardedContext<AppEnv>) => getVerificationKeys(c.get("stores"));
const exampleApi = protectedResourceFrom<AppEnv>(ownKeys, {
  resource: (c) => c.get("issuer"),
  authorizationServers: (c) => [c.get("issuer")],
  resourceName: "Gatehouse example API",
});

exampleApiRoutes.route("/", exampleApi.metadataRoutes);

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
  exampleApi.requireAccessToken(),
  (c) => {
    const token = c.get("accessToken");
    return c.json(
      { sub: token.sub, client_id: token.clientId, scope: token.scopes.join(" ") },
      200,
      { "Cache-Control": "no-store" },
    );
  },
);
