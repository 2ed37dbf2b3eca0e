// RFC 6749 §6: refreshing an access token, with rotation (RFC 9700 §4.14.2, OAuth 2.1 §4.3.1).
import type { Context } from "hono";
import type { AppEnv } from "../../http/app-env";
import type { Params } from "../../http/params";
import { securityEvent } from "../../http/security-events";
import type { ClientRecord } from "../../storage/clients";
import { rotateRefreshToken } from "../../storage/grants";
import {
  newRefreshToken,
  openRefreshToken,
  parseRefreshToken,
  sealRefreshToken,
} from "../../storage/refresh-tokens";
import { getUser } from "../../storage/users";
import { type TokenResponse, issueTokens } from "../../tokens/issue";
import { getSigningKey } from "../../tokens/keys";
import { OAuthError } from "../../protocol/errors";
import { parseScope } from "../../protocol/scope";

/**
 * Rotates the refresh token in one call to the user's Durable Object, which also decides reuse
 * (revoking the grant), expiry, the client binding and any narrowing of scope or resources.
 * Everything that can fail (the user's record in KV, the signing keys, sealing) happens before
 * that call, so a rotation, once committed, always reaches the client's response; a response
 * lost on the way is covered by the retry grace. The new refresh token keeps the grant's full
 * scope; only the access token is narrowed.
 */
export async function refreshTokenGrant(
  c: Context<AppEnv>,
  params: Params,
  client: ClientRecord,
): Promise<TokenResponse> {
  const env = c.env;
  const config = c.get("config");
  const presented = await parseRefreshToken(params.require("refresh_token"));
  const requestedScope = parseScope(params.get("scope") ?? "");
  // RFC 6749 §6: omitted means the scope originally granted.
  const scope = requestedScope.length === 0 ? undefined : requestedScope;
  const resource = params.getAll("resource");
  // RFC 9700 §4.14.2: a public client cannot authenticate, so a second use of its refresh
  // token may be a thief's: no grace. A confidential client's retry is its own (it authenticated).
  const graceSeconds =
    client.metadata.token_endpoint_auth_method === "none" ? 0 : config.refreshTokenReuseGrace;

  const now = Math.floor(Date.now() / 1000);
  const next = await newRefreshToken(presented.sub, presented.grantId);
  const [user, sealedNew] = await Promise.all([
    getUser(env, presented.sub),
    graceSeconds > 0 ? sealRefreshToken(env, next.token, graceSeconds) : undefined,
    // The keys are in this isolate before the grant rotates, so that signing after the commit
    // cannot fail on I/O and strand the client with a rotated-away token.
    getSigningKey(env, config.accessTokenAlg),
  ]);
  // A deleted user's grants were revoked with them; a made-up sub costs no Durable Object call.
  if (user === null) throw new OAuthError("invalid_grant", "The refresh token is invalid");

  const rotation = await rotateRefreshToken(env, presented.sub, {
    grantId: presented.grantId,
    presentedHash: presented.hash,
    clientId: client.client_id,
    newHash: next.hash,
    // Sliding lifetime: each rotation lives REFRESH_TOKEN_TTL from now (within the grant's cap).
    newExpiresAt: now + config.refreshTokenTtl,
    ...(sealedNew === undefined ? {} : { sealedNew }),
    graceSeconds,
    ...(scope === undefined ? {} : { scope }),
    ...(resource.length === 0 ? {} : { resource }),
    retainUntil: now + config.accessTokenTtl,
    now,
  });
  if (!rotation.ok) {
    switch (rotation.reason) {
      case "invalid_scope":
        throw new OAuthError("invalid_scope", "The scope exceeds what the grant allows");
      case "invalid_target":
        throw new OAuthError("invalid_target", "A resource was not part of the grant");
      case "reused":
        securityEvent("refresh_token.reused", {
          client_id: rotation.grant.clientId,
          grant_id: rotation.grant.grantId,
          sub: presented.sub,
        });
        throw new OAuthError("invalid_grant", "The refresh token is invalid");
      default:
        // RFC 6749 §5.2: invalid, expired, revoked or issued to another client.
        throw new OAuthError("invalid_grant", "The refresh token is invalid");
    }
  }
  const grant = rotation.grant;
  // A retry within the grace gets the successor it was already given, not a new one.
  const issued =
    rotation.sealedSuccessor === undefined
      ? next
      : await openRefreshToken(env, rotation.sealedSuccessor);
  if (issued === null) throw new OAuthError("invalid_grant", "The refresh token is invalid");

  return issueTokens(env, {
    issuer: c.get("issuer"),
    grantId: presented.grantId,
    clientId: client.client_id,
    sub: presented.sub,
    scope: scope ?? grant.scope,
    resource: resource.length > 0 ? resource : grant.resource,
    authTime: grant.authTime,
    // OIDC Core §12.2: a refreshed ID token keeps how the user originally authenticated.
    amr: grant.amr,
    acr: grant.acr,
    user,
    refreshToken: { ...issued, expiresAt: grant.refreshExpiresAt },
  });
}
