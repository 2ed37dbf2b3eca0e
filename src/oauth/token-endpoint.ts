// RFC 6749 §3.2: the token endpoint.
import { type Context, Hono } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "../http/app-env";
import { limitBody } from "../http/body-limit";
import { NO_STORE, onJsonError } from "../http/on-error";
import { type Params, readParams } from "../http/params";
import type { ClientRecord } from "../storage/clients";
import type { TokenResponse } from "../tokens/issue";
import { authenticateClient } from "./client-authentication";
import { OAuthError } from "../protocol/errors";
import { authorizationCodeGrant } from "./grants/authorization-code";
import { refreshTokenGrant } from "./grants/refresh-token";

/** A grant type: what it needs is an authenticated client that may use it. */
export type GrantHandler = (
  c: Context<AppEnv>,
  params: Params,
  client: ClientRecord,
) => Promise<TokenResponse>;

/** The grant types this endpoint serves, by their `grant_type` value (RFC 6749 §4, §6). */
export const GRANT_HANDLERS: Readonly<Record<string, GrantHandler>> = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
};

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
    const grantType = params.require("grant_type");
    const handler = Object.hasOwn(GRANT_HANDLERS, grantType)
      ? GRANT_HANDLERS[grantType]
      : undefined;
    if (handler === undefined) {
      throw new OAuthError(
        "unsupported_grant_type",
        "The grant type is not supported",
      );
    }
    const client = await authenticateClient(c, params);
    // RFC 6749 §5.2: a client may use only the grant types it registered (RFC 7591 §2).
    if (!client.metadata.grant_types.includes(grantType)) {
      throw new OAuthError(
        "unauthorized_client",
        `The client is not allowed to use the grant type "${grantType}"`,
      );
    }
    const response = await handler(c, params, client);
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
