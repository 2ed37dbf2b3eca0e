// RFC 6749 §3.2: the token endpoint.
import { Hono } from "hono/tiny";
import { cors } from "hono/cors";
import type { AppEnv } from "../http/app-env";
import { limitBody } from "../http/body-limit";
import { NO_STORE, onJsonError } from "../http/on-error";
import { readParams } from "../http/params";
import { authenticateClient } from "./client-authentication";
import { OAuthError } from "../protocol/errors";
import { systemClock } from "./clock";
import { findGrantType } from "./grants";
import { grantStores } from "./grants/stores";

export const tokenRoutes = new Hono<AppEnv>().onError(onJsonError);

// Browser-based public clients (PKCE, no secret) call the token endpoint cross-origin. No
// cookies are involved (credentials are not allowed), so this exposes nothing to other sites.
tokenRoutes.use(
  "/token",
  cors({
    origin: "*",
    allowMethods: ["POST"],
    allowHeaders: ["Authorization", "Content-Type"],
    maxAge: 600,
  }),
);

tokenRoutes.post(
  "/token",
  limitBody(),
  async (c) => {
    const params = await readParams(c);
    // The grant types this endpoint serves, by their `grant_type` value (RFC 6749 §4, §6).
    const grantType = findGrantType(params.require("grant_type"));
    if (grantType === undefined) {
      throw new OAuthError(
        "unsupported_grant_type",
        "The grant type is not supported",
      );
    }
    const client = await authenticateClient(c, params);
    // RFC 6749 §5.2: a client may use only the grant types it registered (RFC 7591 §2).
    if (!client.metadata.grant_types.includes(grantType.grantType)) {
      throw new OAuthError(
        "unauthorized_client",
        `The client is not allowed to use the grant type "${grantType.grantType}"`,
      );
    }
    const config = c.get("config");
    const response = await grantType.handle({
      client,
      params,
      config,
      issuer: c.get("issuer"),
      stores: grantStores(c.get("stores"), config),
      clock: systemClock,
    });
    // RFC 6749 §5.1: tokens must not be cached.
    return c.json(response, 200, NO_STORE);
  },
);

// RFC 6749 §3.2: "The client MUST use the HTTP POST method".
tokenRoutes.all("/token", () => {
  throw new OAuthError("invalid_request", "The token endpoint accepts POST only", {
    status: 405,
    headers: { Allow: "POST" },
  });
});
