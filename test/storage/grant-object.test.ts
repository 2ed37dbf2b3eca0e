import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { randomToken } from "../../src/crypto/random";
import type { GrantRecord } from "../../src/storage/grant-object";
import {
  getGrantStatus,
  redeemCode,
  revokeGrant,
  rotateRefreshToken,
} from "../../src/storage/grants";
import {
  getRefreshTokenRecord,
  newRefreshToken,
  parseRefreshToken,
  putRefreshTokenRecord,
} from "../../src/storage/refresh-tokens";
import { OAuthError } from "../../src/oauth/errors";

const now = () => Math.floor(Date.now() / 1000);
const DAY = 86_400;
/** One sign-in time for every record, so records built at different moments compare equal. */
const AUTH_TIME = now();

const record = (clientId = "client-1"): GrantRecord => ({
  clientId,
  sub: "user-1",
  scope: ["openid", "profile"],
  resource: ["https://api.example/a"],
  authTime: AUTH_TIME,
});

/** A started grant with a first refresh token (recorded in KV like the token endpoint does). */
async function startedGrant(at = now()) {
  const grantId = randomToken(16);
  const token = await newRefreshToken(grantId);
  const codeId = randomToken(16);
  const result = await redeemCode(env, grantId, {
    codeId,
    grant: record(),
    refreshTokenHash: token.hash,
    refreshExpiresAt: at + 30 * DAY,
    retainUntil: at + 600,
    now: at,
  });
  expect(result).toEqual({ ok: true });
  await putRefreshTokenRecord(
    env,
    token.hash,
    { grantId, clientId: "client-1", expiresAt: at + 30 * DAY },
    at,
  );
  return { grantId, codeId, hash: token.hash };
}

function rotate(grantId: string, presentedHash: string, extra: Record<string, unknown> = {}) {
  return rotateRefreshToken(env, grantId, {
    presentedHash,
    clientId: "client-1",
    newHash: randomToken(32),
    newExpiresAt: now() + 30 * DAY,
    now: now(),
    ...extra,
  });
}

describe("grant Durable Object: code redemption", () => {
  it("accepts a code once and starts the grant", async () => {
    const { grantId } = await startedGrant();
    expect(await getGrantStatus(env, grantId)).toMatchObject({
      state: "active",
      grant: record(),
    });
  });

  it("refuses a second redemption and revokes the grant and its refresh token", async () => {
    const { grantId, codeId, hash } = await startedGrant();
    const again = await redeemCode(env, grantId, { codeId, grant: record(), now: now() });
    expect(again).toEqual({ ok: false, reason: "code_reused" });
    expect(await getGrantStatus(env, grantId)).toMatchObject({ state: "revoked" });
    expect(await rotate(grantId, hash)).toEqual({ ok: false, reason: "revoked" });
    expect(await getRefreshTokenRecord(env, hash)).toBeNull();
  });
});

describe("grant Durable Object: refresh-token rotation (RFC 9700 §4.14.2)", () => {
  it("rotates the current token and returns the grant", async () => {
    const { grantId, hash } = await startedGrant();
    expect(await rotate(grantId, hash)).toEqual({ ok: true, grant: record() });
  });

  it("treats a rotated token presented again as reuse and revokes the grant", async () => {
    const { grantId, hash } = await startedGrant();
    const next = randomToken(32);
    expect(await rotate(grantId, hash, { newHash: next })).toMatchObject({ ok: true });
    expect(await rotate(grantId, hash)).toEqual({ ok: false, reason: "reused" });
    expect(await rotate(grantId, next)).toEqual({ ok: false, reason: "revoked" });
  });

  it("answers an unknown hash with unknown, without revoking", async () => {
    const { grantId, hash } = await startedGrant();
    expect(await rotate(grantId, randomToken(32))).toEqual({ ok: false, reason: "unknown" });
    expect(await rotate(grantId, hash)).toMatchObject({ ok: true });
  });

  it("answers a grant that was never started with unknown", async () => {
    expect(await rotate(randomToken(16), randomToken(32))).toEqual({
      ok: false,
      reason: "unknown",
    });
  });

  it("refuses another client without revoking the grant", async () => {
    const { grantId, hash } = await startedGrant();
    expect(await rotate(grantId, hash, { clientId: "client-2" })).toEqual({
      ok: false,
      reason: "client_mismatch",
    });
    expect(await rotate(grantId, hash)).toMatchObject({ ok: true });
  });

  it("refuses an expired token", async () => {
    const { grantId, hash } = await startedGrant();
    expect(await rotate(grantId, hash, { now: now() + 30 * DAY })).toEqual({
      ok: false,
      reason: "expired",
    });
  });

  it("refuses widening scope or resources before rotating anything", async () => {
    const { grantId, hash } = await startedGrant();
    expect(await rotate(grantId, hash, { scope: ["openid", "email"] })).toEqual({
      ok: false,
      reason: "invalid_scope",
    });
    expect(await rotate(grantId, hash, { resource: ["https://api.example/b"] })).toEqual({
      ok: false,
      reason: "invalid_target",
    });
    expect(await rotate(grantId, hash, { scope: ["openid"] })).toMatchObject({ ok: true });
  });
});

describe("grant Durable Object: revocation and expiry", () => {
  it("revokes a grant and deletes its refresh token's KV record", async () => {
    const { grantId, hash } = await startedGrant();
    await revokeGrant(env, grantId);
    expect(await getGrantStatus(env, grantId)).toMatchObject({ state: "revoked" });
    expect(await rotate(grantId, hash)).toEqual({ ok: false, reason: "revoked" });
    expect(await getRefreshTokenRecord(env, hash)).toBeNull();
  });

  it("schedules its own deletion after the refresh token's expiry", async () => {
    const at = now();
    const { grantId } = await startedGrant(at);
    const stub = env.GRANTS.getByName(grantId);
    const alarm = await runInDurableObject(stub, (_, state) => state.storage.getAlarm());
    expect(alarm).toBeGreaterThanOrEqual((at + 30 * DAY) * 1000);
  });

  it("forgets everything when its alarm fires after the grant's lifetime", async () => {
    // A grant started 31 days ago: its refresh token and retention ended yesterday.
    const { grantId } = await startedGrant(now() - 31 * DAY);
    const stub = env.GRANTS.getByName(grantId);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await getGrantStatus(env, grantId)).toEqual({ state: "unknown" });
    expect(await runInDurableObject(stub, (_, state) => state.storage.getAlarm())).toBeNull();
  });

  it("keeps a live grant when an alarm fires early, and reschedules it", async () => {
    const { grantId } = await startedGrant();
    const stub = env.GRANTS.getByName(grantId);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await getGrantStatus(env, grantId)).toMatchObject({ state: "active" });
    expect(await runInDurableObject(stub, (_, state) => state.storage.getAlarm())).not.toBeNull();
  });
});

describe("refresh token format", () => {
  it("carries the grant id and 256 random bits, and parses back", async () => {
    const grantId = randomToken(16);
    const { token, hash } = await newRefreshToken(grantId);
    const [id, secret] = token.split(".");
    expect(id).toBe(grantId);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await parseRefreshToken(token)).toEqual({ grantId, hash });
  });

  it("refuses malformed tokens with invalid_grant", async () => {
    for (const token of [
      "",
      "abc",
      "a.b",
      `${randomToken(16)}.${randomToken(16)}`,
      `x.${randomToken(32)}`,
    ]) {
      await expect(parseRefreshToken(token)).rejects.toThrow(OAuthError);
    }
  });
});
