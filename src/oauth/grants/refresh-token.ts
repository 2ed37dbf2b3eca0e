// RFC 6749 §6: refreshing an access token, with rotation (RFC 9700 §4.14.2, OAuth 2.1 §4.3.1).
import { securityEvent } from "../../http/security-events";
import { newRefreshToken, parseRefreshToken } from "../../storage/refresh-tokens";
import type { TokenResponse } from "../../tokens/issue";
import { OAuthError } from "../../protocol/errors";
import { parseScope } from "../../protocol/scope";
import { isConfidential } from "../client-auth";
import { clientAllowance } from "../client-allowance";
import type { GrantContext, GrantType } from "./grant-type";

const PARAMETERS = ["refresh_token", "scope", "resource"] as const;
type Parameter = (typeof PARAMETERS)[number];

export const refreshToken: GrantType<Parameter> = {
  grantType: "refresh_token",
  parameters: PARAMETERS,
  handle: refresh,
};

/**
 * Rotates the refresh token in one call to the user's Durable Object, which also decides reuse
 * (revoking the grant), expiry, the client binding and any narrowing of scope or resources.
 * Everything that can fail (the user's record in KV, the signing keys, sealing) happens before
 * that call, so a rotation, once committed, always reaches the client's response; a response
 * lost on the way is covered by the retry grace. The new refresh token keeps the grant's full
 * scope; only the access token is narrowed.
 */
async function refresh({
  client,
  params,
  config,
  issuer,
  stores,
  clock,
}: GrantContext<Parameter>): Promise<TokenResponse> {
  const presented = await parseRefreshToken(params.require("refresh_token"));
  const requestedScope = parseScope(params.get("scope") ?? "");
  // RFC 6749 §6: omitted means the scope originally granted.
  const scope = requestedScope.length === 0 ? undefined : requestedScope;
  const resource = params.getAll("resource");
  // RFC 9700 §4.14.2: a public client cannot authenticate, so a second use of its refresh
  // token may be a thief's: no grace. A confidential client's retry is its own (it authenticated).
  const graceSeconds = isConfidential(client) ? config.refreshTokenReuseGrace : 0;

  const now = clock.now();
  const next = await newRefreshToken(presented.sub, presented.grantId);
  const [user, sealedNew] = await Promise.all([
    stores.users.get(presented.sub),
    graceSeconds > 0 ? stores.sealedRefreshTokens.seal(next.token, graceSeconds) : undefined,
    // The keys are in this isolate before the grant rotates, so that signing after the commit
    // cannot fail on I/O and strand the client with a rotated-away token.
    stores.tokens.ready(),
  ]);
  // A deleted user's grants were revoked with them; a made-up sub costs no Durable Object call.
  if (user === null) throw new OAuthError("invalid_grant", "The refresh token is invalid");

  const rotation = await stores.grants.rotateRefreshToken(presented.sub, {
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
    clientAllows: clientAllowance(client),
    now,
  });
  if (!rotation.ok) {
    switch (rotation.reason) {
      case "invalid_scope":
        throw new OAuthError("invalid_scope", "The scope exceeds what the grant allows");
      case "invalid_target":
        throw new OAuthError("invalid_target", "A resource was not part of the grant");
      case "client_narrowed":
        securityEvent("grant.revoked", {
          client_id: client.client_id,
          grant_id: presented.grantId,
          reason: "client_updated",
        });
        throw new OAuthError("invalid_grant", "The refresh token is invalid");
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
      : await stores.sealedRefreshTokens.open(rotation.sealedSuccessor);
  if (issued === null) throw new OAuthError("invalid_grant", "The refresh token is invalid");

  return stores.tokens.issue({
    issuer,
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
