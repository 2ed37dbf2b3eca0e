import { seal, unseal } from "../crypto/seal";
import { OAuthError } from "../protocol/errors";
import { getSealKey } from "../storage/keys";
import type { Stores } from "../storage/stores";

/**
 * What an authorization code carries (RFC 6749 §4.1.2: bound to client, redirect URI, PKCE
 * challenge, user, scopes and nonce). The code is this payload, authenticated-encrypted with the
 * deployment's "seal" key, so issuing one needs no storage write and works in any location; its
 * single use is recorded by the grant's Durable Object (named `grantId`) at redemption.
 */
export interface AuthorizationCodePayload {
  /** Code id (128 random bits): the unit of single use. */
  codeId: string;
  /** Name of the grant's Durable Object (128 random bits). */
  grantId: string;
  clientId: string;
  redirectUri: string;
  /**
   * Whether the authorization request carried redirect_uri (RFC 6749 §4.1.3: then the token
   * request must carry the identical value). Undefined is treated as true.
   */
  redirectUriProvided?: boolean;
  /** RFC 7636 S256 challenge. */
  codeChallenge: string;
  sub: string;
  scope: string[];
  resource: string[];
  nonce?: string;
  /** Seconds since the epoch when the user authenticated. */
  authTime: number;
  /** How the user authenticated (OIDC Core §2 `amr`, `acr`), from the session. */
  amr?: string[] | undefined;
  acr?: string | undefined;
  /**
   * Whether the code's exchange may return a refresh token, decided when the user consented
   * (src/oauth/refresh-policy.ts; OIDC Core §11 offline_access). Undefined in codes sealed
   * before the field existed: the client's grant_types decide, as they did then.
   */
  refreshToken?: boolean;
  /** Seconds since the epoch. */
  expiresAt: number;
}

type SealedCode = {
  c: Omit<AuthorizationCodePayload, "expiresAt">;
  exp: number;
};

/** Seals a code that expires at `payload.expiresAt` (default lifetime: CODE_TTL, 60 s). */
export async function sealCode(
  stores: Stores,
  payload: AuthorizationCodePayload,
): Promise<string> {
  const { expiresAt, ...claims } = payload;
  const ttl = Math.max(1, expiresAt - Math.floor(Date.now() / 1000));
  return seal(await getSealKey(stores), "code", { c: claims }, ttl);
}

/** Opens a code; throws OAuthError invalid_grant when it is malformed, tampered with or expired. */
export async function openCode(stores: Stores, code: string): Promise<AuthorizationCodePayload> {
  const opened = await unseal<SealedCode>(await getSealKey(stores), "code", code);
  if (!opened || typeof opened.c !== "object" || opened.c === null) {
    // RFC 6749 §5.2: invalid, expired or issued to another client: all invalid_grant.
    throw new OAuthError("invalid_grant", "The authorization code is invalid or has expired");
  }
  return { ...opened.c, expiresAt: opened.exp };
}
