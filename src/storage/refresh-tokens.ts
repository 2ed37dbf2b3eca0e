// Refresh tokens and their records in the TOKENS namespace. The key layout lives here only.
import { randomToken } from "../crypto/random";
import { sha256 } from "../crypto/hash";
import { OAuthError } from "../oauth/errors";

/**
 * A refresh token is `<grantId>.<secret>`:
 * - `grantId` names the grant's Durable Object, the authority that rotates and revokes the token
 *   (so a refresh costs one Durable Object round trip and no lookup first);
 * - `secret` is 256 random bits, base64url (43 characters), so the token cannot be guessed and
 *   an unsalted SHA-256 is a safe way to store it (RFC 9700 §4.14; RFC 6749 §10.10).
 * Only the SHA-256 of the whole token is stored, in the grant and in KV.
 */
const SECRET_BYTES = 32;
const SECRET = /^[A-Za-z0-9_-]{43}$/;
/** Grant ids are random base64url strings; the bound keeps garbage out of Durable Object names. */
const GRANT_ID = /^[A-Za-z0-9_-]{16,128}$/;

export interface ParsedRefreshToken {
  grantId: string;
  /** SHA-256 (base64url) of the whole token: how the grant and KV know it. */
  hash: string;
}

/** KV record of a live refresh token: the edge-readable index. The grant remains the authority. */
export interface RefreshTokenRecord {
  grantId: string;
  clientId: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

/** A new refresh token for a grant, and its hash. */
export async function newRefreshToken(grantId: string): Promise<{ token: string; hash: string }> {
  const token = `${grantId}.${randomToken(SECRET_BYTES)}`;
  return { token, hash: await sha256(token) };
}

/** Parses a presented refresh token; anything malformed is `invalid_grant` (RFC 6749 §5.2). */
export async function parseRefreshToken(token: string): Promise<ParsedRefreshToken> {
  const dot = token.indexOf(".");
  const grantId = token.slice(0, dot);
  const secret = token.slice(dot + 1);
  if (dot < 0 || !GRANT_ID.test(grantId) || !SECRET.test(secret)) {
    throw new OAuthError("invalid_grant", "The refresh token is invalid");
  }
  return { grantId, hash: await sha256(token) };
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

const key = (hash: string) => `refresh:${hash}`;

/** KV refuses an expirationTtl below 60 seconds. */
const KV_MIN_TTL = 60;

export async function putRefreshTokenRecord(
  env: Env,
  hash: string,
  record: RefreshTokenRecord,
  now: number,
): Promise<void> {
  const ttl = Math.max(KV_MIN_TTL, record.expiresAt - now);
  await env.TOKENS.put(key(hash), JSON.stringify(record), { expirationTtl: ttl });
}

export async function getRefreshTokenRecord(
  env: Env,
  hash: string,
): Promise<RefreshTokenRecord | null> {
  return env.TOKENS.get<RefreshTokenRecord>(key(hash), "json");
}

export async function deleteRefreshTokenRecords(
  env: Env,
  hashes: readonly string[],
): Promise<void> {
  await Promise.all(hashes.map((hash) => env.TOKENS.delete(key(hash))));
}

/**
 * Adds a just-committed refresh token to the KV index. The index is advisory (the grant's
 * Durable Object decides everything), so it is written only after the grant accepted the token
 * (made-up tokens never cost a write) and a failure is logged, never returned to the client,
 * whose token is already valid.
 */
export async function indexRefreshToken(
  env: Env,
  hash: string,
  record: RefreshTokenRecord,
): Promise<void> {
  await putRefreshTokenRecord(env, hash, record, Math.floor(Date.now() / 1000)).catch(
    (err: unknown) => console.error("Could not add a refresh token to the KV index", err),
  );
}

/** Removes retired or revoked refresh tokens from the KV index; failures are logged only. */
export async function unindexRefreshTokens(env: Env, hashes: readonly string[]): Promise<void> {
  await deleteRefreshTokenRecords(env, hashes).catch((err: unknown) =>
    console.error("Could not remove refresh tokens from the KV index", err),
  );
}
