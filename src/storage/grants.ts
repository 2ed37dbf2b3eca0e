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
import type { Stores } from "./stores";

// Subjects are randomToken(16); anything else cannot name a user (nor create an object).
const SUB_SHAPE = /^[A-Za-z0-9_-]{1,64}$/;

function userObject(stores: Stores, sub: string) {
  if (!SUB_SHAPE.test(sub)) throw new Error("Not a subject identifier");
  return stores.USER_OBJECTS.getByName(sub);
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Records the code's single use and starts the grant (DESIGN "The hot path": one call). */
export async function redeemCode(
  stores: Stores,
  input: RedeemCodeInput,
): Promise<RedeemCodeResult> {
  return userObject(stores, input.sub).redeemCode(input);
}

/** Rotates the grant's refresh token; reuse of a retired one revokes the grant (RFC 9700 §4.14.2). */
export async function rotateRefreshToken(
  stores: Stores,
  sub: string,
  input: RotateRefreshTokenInput,
): Promise<RotateRefreshTokenResult> {
  return userObject(stores, sub).rotateRefreshToken(input);
}

/** Revokes the grant and every token issued from it; true when it was live. */
export async function revokeGrant(stores: Stores, sub: string, grantId: string): Promise<boolean> {
  return userObject(stores, sub).revokeGrant(grantId, nowSeconds());
}

export async function getGrantStatus(
  stores: Stores,
  sub: string,
  grantId: string,
): Promise<GrantStatus> {
  return userObject(stores, sub).status(grantId, nowSeconds());
}

/** Whether `hash` is the grant's current, live refresh token (read-only; for introspection). */
export async function getCurrentRefreshToken(
  stores: Stores,
  sub: string,
  grantId: string,
  hash: string,
  now: number,
): Promise<CurrentRefreshToken> {
  return userObject(stores, sub).currentRefreshToken(grantId, hash, now);
}

/** Revokes the grant if `hash` is one of its refresh tokens and `clientId` its client. */
export async function revokeRefreshToken(
  stores: Stores,
  sub: string,
  grantId: string,
  hash: string,
  clientId: string,
): Promise<RevokeRefreshTokenResult> {
  return userObject(stores, sub).revokeRefreshToken(grantId, hash, clientId, nowSeconds());
}

/** The user's live grants, oldest first. */
export async function listUserGrants(stores: Stores, sub: string): Promise<GrantRecord[]> {
  return userObject(stores, sub).listGrants(nowSeconds());
}

/** Revokes every live grant of the user (or only those of `clientId`); returns them. */
export async function revokeUserGrants(
  stores: Stores,
  sub: string,
  clientId?: string,
): Promise<GrantRecord[]> {
  return userObject(stores, sub).revokeGrants(nowSeconds(), clientId);
}

/** The user was deleted: revokes every grant and refuses codes issued before. */
export async function closeUserGrants(stores: Stores, sub: string): Promise<GrantRecord[]> {
  return userObject(stores, sub).closeUser(nowSeconds());
}
