// The refresh-token format. Tokens are stored nowhere in clear: the user's Durable Object keeps
// their SHA-256, and the one token a retry may need again sealed with the deployment key.
import { sha256 } from "../crypto/hash";
import { randomToken } from "../crypto/random";
import { seal, unseal } from "../crypto/seal";
import { OAuthError } from "../protocol/errors";
import { getSealKey } from "./keys";
import type { Stores } from "./stores";

/**
 * A refresh token is `<sub>.<grantId>.<secret>`:
 * - `sub` names the user's Durable Object, the authority that rotates and revokes the token
 *   (so a refresh costs one Durable Object round trip and no lookup first);
 * - `grantId` names the grant inside it;
 * - `secret` is 256 random bits, base64url (43 characters), so the token cannot be guessed and
 *   an unsalted SHA-256 is a safe way to store it (RFC 9700 §4.14; RFC 6749 §10.10).
 * Only the SHA-256 of the whole token is stored.
 */
const SECRET_BYTES = 32;
const SECRET = /^[A-Za-z0-9_-]{43}$/;
/** Subjects and grant ids are random base64url strings; the bound keeps garbage out of names. */
const SUB = /^[A-Za-z0-9_-]{1,64}$/;
const GRANT_ID = /^[A-Za-z0-9_-]{16,128}$/;

export interface ParsedRefreshToken {
  sub: string;
  grantId: string;
  /** SHA-256 (base64url) of the whole token: how the user's object knows it. */
  hash: string;
}

/** A new refresh token for a grant of `sub`, and its hash. */
export async function newRefreshToken(
  sub: string,
  grantId: string,
): Promise<{ token: string; hash: string }> {
  const token = `${sub}.${grantId}.${randomToken(SECRET_BYTES)}`;
  return { token, hash: await sha256(token) };
}

/** Parses a presented refresh token; anything malformed is `invalid_grant` (RFC 6749 §5.2). */
export async function parseRefreshToken(token: string): Promise<ParsedRefreshToken> {
  const [sub, grantId, secret, ...rest] = token.split(".");
  if (
    sub === undefined ||
    grantId === undefined ||
    secret === undefined ||
    rest.length > 0 ||
    !SUB.test(sub) ||
    !GRANT_ID.test(grantId) ||
    !SECRET.test(secret)
  ) {
    throw new OAuthError("invalid_grant", "The refresh token is invalid");
  }
  return { sub, grantId, hash: await sha256(token) };
}

/**
 * The presented string as a refresh token, or null when it does not have a refresh token's shape
 * (revocation and introspection then try it as an access token; neither refuses it).
 */
export async function readRefreshToken(token: string): Promise<ParsedRefreshToken | null> {
  return parseRefreshToken(token).catch((err: unknown) => {
    if (err instanceof OAuthError) return null;
    throw err;
  });
}

/**
 * Seals a newly issued refresh token (authenticated encryption with the deployment key), so
 * that the user's object can hand it back to a client retrying within the grace without ever
 * holding it in clear. The seal expires shortly after the grace.
 */
export async function sealRefreshToken(
  stores: Stores,
  token: string,
  graceSeconds: number,
): Promise<string> {
  return seal(await getSealKey(stores), "refresh_token", { t: token }, graceSeconds + 60);
}

/** Opens a sealed successor; null when it cannot be opened (it then is not returned). */
export async function openRefreshToken(
  stores: Stores,
  sealed: string,
): Promise<{ token: string; hash: string } | null> {
  const opened = await unseal<{ t?: unknown }>(await getSealKey(stores), "refresh_token", sealed);
  if (typeof opened?.t !== "string") return null;
  return { token: opened.t, hash: await sha256(opened.t) };
}
