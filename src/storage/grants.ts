// Typed calls to a grant's Durable Object (src/storage/grant-object.ts, which also defines
// the types). Each function is exactly one round trip.
import type {
  CurrentRefreshToken,
  GrantStatus,
  RedeemCodeInput,
  RedeemCodeResult,
  RotateRefreshTokenInput,
  RevokeRefreshTokenResult,
  RotateRefreshTokenResult,
} from "./grant-object";

function grant(env: Env, grantId: string) {
  return env.GRANTS.getByName(grantId);
}

/** Records the code's single use and starts the grant (DESIGN "The hot path": one call). */
export async function redeemCode(
  env: Env,
  grantId: string,
  input: RedeemCodeInput,
): Promise<RedeemCodeResult> {
  return grant(env, grantId).redeemCode(input);
}

/** Rotates the grant's refresh token; reuse of a retired one revokes the grant (RFC 9700 §4.14.2). */
export async function rotateRefreshToken(
  env: Env,
  grantId: string,
  input: RotateRefreshTokenInput,
): Promise<RotateRefreshTokenResult> {
  return grant(env, grantId).rotateRefreshToken(input);
}

/** Revokes the grant and every token issued from it. */
export async function revokeGrant(env: Env, grantId: string): Promise<void> {
  await grant(env, grantId).revoke();
}

export async function getGrantStatus(env: Env, grantId: string): Promise<GrantStatus> {
  return grant(env, grantId).status();
}

/** Whether `hash` is the grant's current, live refresh token (read-only; for introspection). */
export async function getCurrentRefreshToken(
  env: Env,
  grantId: string,
  hash: string,
  now: number,
): Promise<CurrentRefreshToken> {
  return grant(env, grantId).currentRefreshToken(hash, now);
}

/** Revokes the grant if `hash` is one of its refresh tokens and `clientId` its client. */
export async function revokeRefreshToken(
  env: Env,
  grantId: string,
  hash: string,
  clientId: string,
): Promise<RevokeRefreshTokenResult> {
  return grant(env, grantId).revokeRefreshToken(hash, clientId);
}
