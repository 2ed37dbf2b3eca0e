import { randomToken } from "../crypto/random";
import type { SigningKey } from "../storage/keys";
import { signJwt } from "./sign-jwt";

/** OIDC Back-Channel Logout 1.0 §2.4: the event that makes a JWT a logout token. */
export const BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout";

/** Back-Channel Logout §2.4: short-lived; the RP checks `iat`/`exp` and may keep `jti`s that long. */
export const LOGOUT_TOKEN_TTL = 120;

export interface LogoutTokenClaims {
  issuer: string;
  clientId: string;
  sub: string;
  /** The ended session's id, when sessions have one (§2.4: sub, sid or both). */
  sid?: string | undefined;
}

/**
 * Signs a logout token (Back-Channel Logout §2.4) with the ID token key `key`: iss, aud (the
 * client), iat, exp, jti, events, sub and sid when known; never a nonce (§2.4: "MUST NOT"), so
 * it cannot pass as an ID token. `typ` is `logout+jwt` (§2.4, RFC 8725 §3.11 explicit typing).
 */
export async function issueLogoutToken(key: SigningKey, claims: LogoutTokenClaims): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  return signJwt(key, "logout+jwt", {
    iss: claims.issuer,
    aud: claims.clientId,
    iat,
    exp: iat + LOGOUT_TOKEN_TTL,
    jti: randomToken(16),
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    sub: claims.sub,
    ...(claims.sid === undefined ? {} : { sid: claims.sid }),
  });
}
