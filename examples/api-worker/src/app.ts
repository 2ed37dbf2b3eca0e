/**
 * A reports API that accepts only access tokens Gatehouse issued for it. Everything OAuth is
 * `gatehouse/resource`: RFC 9728 metadata naming Gatehouse, and a bearer check per route that
 * verifies the RFC 9068 JWT locally (no call to Gatehouse per request) and answers RFC 6750
 * errors itself.
 */
import { Hono } from "hono";
import { cors } from "hono/cors";
import { type AccessTokenVariables, protectedResource } from "gatehouse/resource";

export interface ApiEnv {
  Bindings: {
    /** The Gatehouse issuer, e.g. https://login.example.com. */
    ISSUER: string;
    /** This API's identifier, e.g. https://api.example.com: one of Gatehouse's RESOURCES. */
    RESOURCE: string;
  };
  Variables: AccessTokenVariables;
}

// #region protect
const api = protectedResource<ApiEnv>({
  // RFC 8707 §2: tokens must carry this in `aud`; Gatehouse puts it there when the client asks
  // for resource=<RESOURCE>. A token for any other audience is 401 invalid_token here.
  resource: (c) => c.env.RESOURCE,
  // The issuers it trusts; their keys are fetched from <issuer>/jwks.json, cached per isolate.
  authorizationServers: (c) => [c.env.ISSUER],
  scopesSupported: ["reports:read", "reports:write"],
  resourceName: "Reports API",
});

export const app = new Hono<ApiEnv>();

// Browser apps call it from their own origin with a bearer token, never cookies (RFC 6750 §2.1).
app.use(
  "*",
  cors({
    origin: "*",
    allowHeaders: ["Authorization", "Content-Type"],
    exposeHeaders: ["WWW-Authenticate"],
    maxAge: 600,
  }),
);

// GET /.well-known/oauth-protected-resource (RFC 9728 §3): who it is and whom it trusts.
app.route("/", api.metadataRoutes);

// Any valid token for this API; then each route asks for its scope (403 insufficient_scope).
app.get("/me", api.requireAccessToken(), (c) => {
  const token = c.get("accessToken");
  // A client_credentials token's subject is "client:<client_id>", never a user's (RFC 9700 §4.15).
  const kind = token.sub.startsWith("client:") ? "service" : "user";
  return c.json({ sub: token.sub, client_id: token.clientId, scope: token.scopes.join(" "), kind });
});
app.get("/reports", api.requireAccessToken({ scopes: ["reports:read"] }), (c) => c.json({ reports: REPORTS }));
app.post("/reports", api.requireAccessToken({ scopes: ["reports:write"] }), async (c) => {
  const { title } = await c.req.json<{ title?: unknown }>().catch(() => ({ title: undefined }));
  if (typeof title !== "string" || title === "") return c.json({ error: "title is required" }, 400);
  return c.json({ id: crypto.randomUUID(), title, author: c.get("accessToken").sub }, 201);
});
// #endregion

/** A fixed sample: the example keeps no state. */
const REPORTS = [
  { id: "2026-q3", title: "Third quarter" },
  { id: "2026-q4", title: "Fourth quarter" },
];
