/**
 * Gatehouse's resource-server package: what another Worker imports to accept Gatehouse access
 * tokens. Only hono and jose are dependencies; nothing here touches Gatehouse's storage.
 *
 *     app.use("/api/*", requireAccessToken({
 *       issuer: "https://login.example.com",
 *       audience: "https://api.example.com",
 *       jwksUri: "https://login.example.com/jwks.json",
 *     }));
 *     app.get("/api/me", (c) => c.json({ sub: c.get("accessToken").sub }));
 *
 * or, with RFC 9728 protected resource metadata (what MCP clients need):
 *
 *     const pr = protectedResource({
 *       resource: "https://mcp.example.com/mcp",
 *       authorizationServers: ["https://login.example.com"],
 *       scopesSupported: ["mcp:tools"],
 *     });
 *     app.route("/", pr.metadataRoutes);
 *     app.use("/mcp", pr.requireAccessToken({ scopes: ["mcp:tools"] }));
 */
export {
  protectedResource,
  protectedResourceMetadataUrl,
  PROTECTED_RESOURCE_WELL_KNOWN,
  type FromRequest,
  type ProtectedResource,
  type ProtectedResourceOptions,
} from "./protected-resource";
export {
  requireAccessToken,
  type AccessTokenVariables,
  type GuardedContext,
  type PerRequest,
  type RequireAccessTokenOptions,
} from "./bearer-auth";
export { bearerChallenge, type BearerChallenge } from "../protocol/www-authenticate";
export {
  verifyAccessToken,
  type VerifiedAccessToken,
  type VerifyAccessTokenOptions,
} from "../tokens/verify-access-token";
export { ACCESS_TOKEN_ALGS, ACCESS_TOKEN_TYP } from "../protocol/jwt-profile";
export { OAuthError } from "../protocol/errors";
