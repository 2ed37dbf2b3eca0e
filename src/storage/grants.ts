// Typed calls to a user's Durable Object (src/storage/user-object.ts, which also defines the
// types), named by the user's `sub`. Each function is exactly one round trip.
import type {
  CurrentRefreshToken,
  GrantRecord,
  GrantStatus,
  RedeemCodeInput,
  RedeemCodeResult,
  RevokeRefreshTokenResult,
  RotateRefreshTokenInput,
  RotateRefreshTokenResult,
} from "./grant-types";

// Subjects are randomToken(16); anything else cannot name a user (nor create an object).
const SUB_SHAPE = /^[A-Za-z0-9_-]{1,64}$/;

function userObject(env: Env, sub: string) {
  if (!SUB_SHAPE.test(sub)) throw new Error("Not a subject identifier");
  return env.USER_OBJECTS.getByName(sub);
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Records the code's single use and starts the grant (DESIGN "The hot path": one call). */
export async function redeemCode(env: Env, input: RedeemCodeInput): Promise<RedeemCodeResult> {
  return userObject(env, input.sub).redeemCode(input);
}

/** Rotates the grant's refresh token; reuse of a retired one revokes the grant (RFC 9700 §4.14.2). */
export async function rotateRefreshToken(
  env: Env,
  sub: string,
  input: RotateRefreshTokenInput,
): Promise<RotateRefreshTokenResult> {
  return userObject(env, sub).rotateRefreshToken(input);
}

/** Revokes the grant and every token issued from it; true when it was live. */
export async function revokeGrant(env: Env, sub: string, grantId: string): Promise<boolean> {
  return userObject(env, sub).revokeGrant(grantId, nowSeconds());
}

export async function getGrantStatus(env: Env, sub: string, grantId: string): Promise<GrantStatus> {
  return userObject(env, sub).status(grantId, nowSeconds());
}

/** Whether `hash` is the grant's current, live refresh token (read-only; for introspection). */
export async function getCurrentRefreshToken(
  env: Env,
  sub: string,
  grantId: string,
  hash: string,
  now: number,
): Promise<CurrentRefreshToken> {
  return userObject(env, sub).currentRefreshToken(grantId, hash, now);
}

/** Revokes the grant if `hash` is one of its refresh tokens and `clientId` its client. */
export async function revokeRefreshToken(
  env: Env,
  sub: string,
  grantId: string,
  hash: string,
  clientId: string,
): Promise<RevokeRefreshTokenResult> {
  return userObject(env, sub).revokeRefreshToken(grantId, hash, clientId, nowSeconds());
}

/** The user's live grants, oldest first. */
export async function listUserGrants(env: Env, sub: string): Promise<GrantRecord[]> {
  return userObject(env, sub).listGrants(nowSeconds());
}

/** Revokes every live grant of the user (or only those of `clientId`); returns them. */
export async function revokeUserGrants(
  env: Env,
  sub: string,
  clientId?: string,
): Promise<GrantRecord[]> {
  return userObject(env, sub).revokeGrants(nowSeconds(), clientId);
}

/** The user was deleted: revokes every grant and refuses codes issued before. */
export async function closeUserGrants(env: Env, sub: string): Promise<GrantRecord[]> {
  return userObject(env, sub).closeUser(nowSeconds());
}
