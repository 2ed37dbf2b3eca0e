// RFC 7009: the token revocation endpoint.
import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { cors } from "hono/cors";
import type { AppEnv } from "../http/app-env";
import { limitBody } from "../http/body-limit";
import { NO_STORE, onJsonError } from "../http/on-error";
import { readParams } from "../http/params";
import { securityEvent } from "../http/security-events";
import type { ClientRecord } from "../storage/clients";
import { revokeGrant, revokeRefreshToken } from "../storage/grants";
import { readRefreshToken } from "../storage/refresh-tokens";
import { getVerificationKeys } from "../storage/keys";
import { readOwnAccessToken } from "../tokens/own-access-token";
import { authenticateClient } from "./client-authentication";
import { OAuthError } from "../protocol/errors";
import { markInvalidToken } from "./token-throttle";

export const revokeRoutes = new Hono<AppEnv>().onError(onJsonError);

// As at the token endpoint: browser-based public clients revoke their tokens cross-origin,
// without cookies, so this exposes nothing to other sites.
revokeRoutes.use(
  "/revoke",
  cors({
    origin: "*",
    allowMethods: ["POST"],
    allowHeaders: ["Authorization", "Content-Type"],
    maxAge: 600,
  }),
);

revokeRoutes.post("/revoke", limitBody(), async (c) => {
  const params = await readParams(c);
  // RFC 7009 §2.1: the client authenticates as at the token endpoint (public clients send
  // their client_id), and `token` is REQUIRED.
  const client = await authenticateClient(c, params);
  const token = params.require("token");
  // `token_type_hint` is optional and only a hint (§2.1): refresh tokens (`<sub>.<grant>.<secret>`)
  // and access tokens (JWS compact) cannot be mistaken for each other, so both are tried and an
  // unknown hint is ignored rather than refused with unsupported_token_type (§2.2.1).
  await revokeToken(c, client, token);
  // RFC 7009 §2.2: 200 whether or not the token was valid, so nothing can be probed.
  return c.body(null, 200, NO_STORE);
});

/**
 * Revokes the grant of `token` when it was issued to `client`; otherwise does nothing. Either
 * kind of token ends the whole grant: for a refresh token RFC 7009 §2.1 asks that the access
 * tokens of the same grant go too, and an access token cannot be recalled on its own (it is a
 * self-contained JWT), so revoking it means revoking its grant (introspection and userinfo then
 * report it inactive).
 */
async function revokeToken(c: Context<AppEnv>, client: ClientRecord, token: string) {
  const refreshToken = await readRefreshToken(token);
  if (refreshToken !== null) {
    // The user's object checks, atomically, that the token is one of the grant's own and the
    // client its client: another client's refresh token is never revoked (RFC 7009 §2.1).
    const { sub, grantId, hash } = refreshToken;
    const result = await revokeRefreshToken(c.get("stores"), sub, grantId, hash, client.client_id);
    if (result === "revoked") grantRevoked(sub, grantId, client.client_id);
    else markInvalidToken(c);
    return;
  }
  const keys = await getVerificationKeys(c.get("stores"));
  const accessToken = await readOwnAccessToken(keys, token, c.get("issuer"));
  if (accessToken !== null && accessToken.client_id === client.client_id) {
    // Only a grant's own tokens end it: a client-credentials token has no grant (it lives until
    // it expires), and an exchanged token (RFC 8693, with `act`) carries the grant of the
    // subject's client, which the acting client may not end.
    const grantId = accessToken.act === undefined ? accessToken.grant_id : undefined;
    if (grantId !== undefined && (await revokeGrant(c.get("stores"), accessToken.sub, grantId))) {
      grantRevoked(accessToken.sub, grantId, client.client_id);
    }
    return;
  }
  // Garbage, a forged or foreign token: 200 all the same (§2.2), but counted like one.
  markInvalidToken(c);
}

function grantRevoked(sub: string, grantId: string, clientId: string): void {
  securityEvent("grant.revoked", {
    grant_id: grantId,
    sub,
    client_id: clientId,
    reason: "revocation",
  });
}

// RFC 7009 §2.1: "The client requests the revocation ... by sending ... an HTTP POST request".
revokeRoutes.all("/revoke", () => {
  throw new OAuthError("invalid_request", "The revocation endpoint accepts POST only", {
    status: 405,
    headers: { Allow: "POST" },
  });
});
