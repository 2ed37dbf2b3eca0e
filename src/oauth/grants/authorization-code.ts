// RFC 6749 §4.1.3: the authorization code grant (with PKCE, RFC 7636; OAuth 2.1 §4.1.3).
import { securityEvent } from "../../http/security-events";
import { newRefreshToken } from "../../storage/refresh-tokens";
import type { TokenResponse } from "../../tokens/issue";
import { OAuthError } from "../../protocol/errors";
import { withinAllowance } from "../../protocol/client-allowance";
import { clientAllowance } from "../client-allowance";
import { verifyPkce } from "../pkce";
import { matchRedirectUri } from "../redirect-uri";
import { usesRefreshTokens } from "../refresh-policy";
import type { GrantContext, GrantType } from "./grant-type";

const PARAMETERS = ["code", "redirect_uri", "code_verifier", "resource"] as const;
type Parameter = (typeof PARAMETERS)[number];

export const authorizationCode: GrantType<Parameter> = {
  grantType: "authorization_code",
  parameters: PARAMETERS,
  handle: exchangeCode,
};

/**
 * Exchanges a code for tokens. Every check runs, and the user is read and the tokens signed,
 * before the user's Durable Object is called, so a request refused for any reason but replay
 * consumes nothing and revokes nothing, and nothing can fail after the object committed; the one
 * Durable Object call then records the code's single use and starts the grant.
 */
async function exchangeCode({
  client,
  params,
  config,
  issuer,
  stores,
  clock,
}: GrantContext<Parameter>): Promise<TokenResponse> {
  const code = await stores.codes.open(params.require("code"));

  // RFC 6749 §4.1.3: the code must have been issued to the authenticated client.
  if (code.clientId !== client.client_id) {
    throw new OAuthError("invalid_grant", "The authorization code was issued to another client");
  }
  // RFC 6749 §4.1.3: redirect_uri is required when the authorization request included it, and
  // must then be identical (a plain string comparison, no normalisation). Missing, it fails the
  // code's binding like a different one would: invalid_grant (RFC 6749 §5.2).
  const redirectUri = params.get("redirect_uri");
  if (redirectUri === undefined && code.redirectUriProvided !== false) {
    throw new OAuthError("invalid_grant", 'The parameter "redirect_uri" is missing');
  }
  if (redirectUri !== undefined && redirectUri !== code.redirectUri) {
    throw new OAuthError(
      "invalid_grant",
      "The redirect_uri differs from the one in the authorization request",
    );
  }
  // The registration may have been narrowed since the code was issued (RFC 7592 §2.2, the admin
  // API) while the authorization endpoint, elsewhere, still read the old one: the code's redirect
  // URI must still be registered (RFC 9700 §4.1.3, exact matching) and its scope and resources
  // still allowed, or no grant starts from it.
  if (
    !matchRedirectUri(client.metadata.redirect_uris, code.redirectUri) ||
    !withinAllowance(clientAllowance(client), code.scope, code.resource)
  ) {
    throw new OAuthError(
      "invalid_grant",
      "The client's registration no longer allows what was authorized",
    );
  }
  // RFC 8707 §2.2: the token request may narrow the audience to some of the granted resources.
  const requestedResources = params.getAll("resource");
  if (!requestedResources.every((r) => code.resource.includes(r))) {
    throw new OAuthError("invalid_target", "A resource was not part of the authorization");
  }

  await verifyPkce(params.get("code_verifier"), code.codeChallenge);
  const user = await stores.users.get(code.sub);
  if (user === null) throw new OAuthError("invalid_grant", "The user no longer exists");

  const now = clock.now();
  // A client gets refresh tokens when its grant_types include refresh_token (DESIGN contract),
  // today as well as when the user consented, and only if that consent allowed one (OIDC Core
  // §11 offline_access, src/oauth/refresh-policy.ts).
  const refresh =
    usesRefreshTokens(client) && code.refreshToken !== false
      ? await newRefreshToken(code.sub, code.grantId)
      : undefined;
  // The grant ends GRANT_MAX_LIFETIME after it starts, whatever its refreshes.
  const grantExpiresAt = now + config.grantMaxLifetime;
  const refreshExpiresAt = Math.min(now + config.refreshTokenTtl, grantExpiresAt);
  const retainUntil = Math.max(code.expiresAt, now + config.accessTokenTtl);

  const refreshToken =
    refresh === undefined ? undefined : { ...refresh, expiresAt: refreshExpiresAt };
  // Signed before the grant commits (nothing after the commit may fail); returned only if it
  // accepts.
  const response = await stores.tokens.issue({
    issuer,
    grantId: code.grantId,
    clientId: client.client_id,
    sub: code.sub,
    scope: code.scope,
    resource: requestedResources.length > 0 ? requestedResources : code.resource,
    authTime: code.authTime,
    amr: code.amr,
    acr: code.acr,
    ...(code.nonce === undefined ? {} : { nonce: code.nonce }),
    user,
    ...(refreshToken === undefined ? {} : { refreshToken }),
  });

  const [redemption] = await Promise.all([
    stores.grants.redeemCode({
      grantId: code.grantId,
      clientId: code.clientId,
      sub: code.sub,
      scope: code.scope,
      resource: code.resource,
      authTime: code.authTime,
      amr: code.amr,
      acr: code.acr,
      ...(refresh === undefined ? {} : { refreshTokenHash: refresh.hash, refreshExpiresAt }),
      expiresAt: grantExpiresAt,
      retainUntil,
      now,
    }),
    // The client → users index, beside (not after) the commit so that it adds no latency; a
    // failure is logged, never returned: the grant is valid without it. Written with the longest
    // end any grant may have (its cap), so each write covers every earlier grant of the pair and
    // most exchanges need none (src/storage/client-grants.ts).
    stores.clientGrants.record({
      clientId: client.client_id,
      sub: code.sub,
      expiresAt: grantExpiresAt,
    }).catch((err: unknown) => console.error("Could not record the grant of a client", err)),
  ]);
  if (!redemption.ok) {
    if (redemption.reason === "user_deleted") {
      throw new OAuthError("invalid_grant", "The user no longer exists");
    }
    securityEvent("code.reused", {
      client_id: redemption.clientId,
      grant_id: code.grantId,
      sub: code.sub,
    });
    // RFC 6749 §4.1.2 / RFC 9700 §4.2.4: a replayed code is refused and its grant revoked.
    throw new OAuthError("invalid_grant", "The authorization code has already been used");
  }
  return response;
}
