import type { ClientRecord } from "../storage/clients";

/** OIDC Core §11: the scope that asks for a refresh token usable while the user is away. */
export const OFFLINE_ACCESS = "offline_access";

/** OIDC Core §3.1.2.1: a request whose scope holds `openid` is an OpenID Connect request. */
const OPENID = "openid";

/** Whether the client registered the refresh_token grant (RFC 7591 §2, DESIGN contract). */
export function usesRefreshTokens(client: ClientRecord): boolean {
  return client.metadata.grant_types.includes("refresh_token");
}

/**
 * Whether an authorization of `scope` for `client` ends in a refresh token: the client uses the
 * refresh_token grant, and, when it requires offline_access (`require_offline_access`), an
 * OpenID Connect request asked for offline_access (OIDC Core §11: offline_access requests a
 * refresh token for use while the user is not present). Decided when the user consents, and
 * carried in the code to its exchange (src/oauth/sealed-code.ts).
 *
 * OIDC Core §11 also requires consent to offline access to be obtained explicitly ("prompt
 * contains consent unless other conditions … are in place"): Gatehouse's condition is that the
 * consent page always names offline_access the first time it is asked for, and a remembered
 * consent covers it only when that consent included it (src/storage/consents.ts consentCovers).
 */
export function issuesRefreshToken(client: ClientRecord, scope: readonly string[]): boolean {
  if (!usesRefreshTokens(client)) return false;
  if (client.metadata.require_offline_access !== true || !scope.includes(OPENID)) return true;
  return scope.includes(OFFLINE_ACCESS);
}
