// RFC 6749 §6: refreshing an access token, with rotation (RFC 9700 §4.14.2, OAuth 2.1 §4.3.1).
import type { Context } from "hono";
import type { AppEnv } from "../../http/app-env";
import type { Params } from "../../http/params";
import type { ClientRecord } from "../../storage/clients";
import { revokeGrant, rotateRefreshToken } from "../../storage/grants";
import {
  indexRefreshToken,
  newRefreshToken,
  parseRefreshToken,
  unindexRefreshTokens,
} from "../../storage/refresh-tokens";
import { getUser } from "../../storage/users";
import { type TokenResponse, issueTokens } from "../../tokens/issue";
import { getSigningKey } from "../../tokens/keys";
import { OAuthError } from "../errors";
import { parseScope } from "../scope";

/**
 * Rotates the refresh token in one call to the grant's Durable Object, which also decides reuse
 * (revoking the grant), expiry, the client binding and any narrowing of scope or resources.
 * The new refresh token keeps the grant's full scope; only the access token is narrowed.
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

  const now = Math.floor(Date.now() / 1000);
  const next = await newRefreshToken(presented.grantId);
  // Sliding lifetime: each rotation lives REFRESH_TOKEN_TTL from now.
  const expiresAt = now + config.refreshTokenTtl;
  const nextToken = { ...next, expiresAt };
  // The signing keys are in this isolate before the grant rotates, so that signing after the
  // commit cannot fail on I/O and strand the client with a rotated-away token.
  await getSigningKey(env, config.accessTokenAlg);
  const rotation = await rotateRefreshToken(env, presented.grantId, {
    presentedHash: presented.hash,
    clientId: client.client_id,
    newHash: next.hash,
    newExpiresAt: expiresAt,
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
      default:
        // RFC 6749 §5.2: invalid, expired, revoked or issued to another client.
        throw new OAuthError("invalid_grant", "The refresh token is invalid");
    }
  }
  const grant = rotation.grant;

  const user = await getUser(env, grant.sub);
  if (user === null) {
    // A deleted user's grants end with them.
    await revokeGrant(env, presented.grantId);
    throw new OAuthError("invalid_grant", "The user no longer exists");
  }

  const [response] = await Promise.all([
    issueTokens(env, {
      issuer: c.get("issuer"),
      grantId: presented.grantId,
      clientId: client.client_id,
      sub: grant.sub,
      scope: scope ?? grant.scope,
      resource: resource.length > 0 ? resource : grant.resource,
      authTime: grant.authTime,
      user,
      refreshToken: nextToken,
    }),
    // The KV index follows the grant: the new token in, the retired one out (the grant itself
    // remembers the retired one to detect reuse).
    indexRefreshToken(env, next.hash, {
      grantId: presented.grantId,
      clientId: client.client_id,
      expiresAt,
    }),
    unindexRefreshTokens(env, [presented.hash]),
  ]);
  return response;
}
