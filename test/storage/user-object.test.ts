import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { randomToken } from "../../src/crypto/random";
import { OAuthError } from "../../src/protocol/errors";
import {
  closeUserGrants,
  getCurrentRefreshToken,
  getGrantStatus,
  listUserGrants,
  redeemCode,
  revokeGrant,
  revokeRefreshToken,
  revokeUserGrants,
  rotateRefreshToken,
} from "../../src/storage/grants";
import {
  newRefreshToken,
  openRefreshToken,
  parseRefreshToken,
  sealRefreshToken,
} from "../../src/storage/refresh-tokens";
import type { RedeemCodeInput } from "../../src/storage/grant-types";

const now = () => Math.floor(Date.now() / 1000);
const DAY = 86_400;
const YEAR = 365 * DAY;
const GRACE = 30;

/** A started grant of a fresh user (unless `sub` is given), with a first refresh token. */
async function startedGrant(
  options: { at?: number; sub?: string; clientId?: string; extra?: Partial<RedeemCodeInput> } = {},
) {
  const at = options.at ?? now();
  const sub = options.sub ?? randomToken(16);
  const grantId = randomToken(16);
  const token = await newRefreshToken(sub, grantId);
  const input: RedeemCodeInput = {
    grantId,
    clientId: options.clientId ?? "client-1",
    sub,
    scope: ["openid", "profile"],
    resource: ["https://api.example/a"],
    authTime: at,
    refreshTokenHash: token.hash,
    refreshExpiresAt: at + 30 * DAY,
    expiresAt: at + YEAR,
    retainUntil: at + 600,
    now: at,
    ...options.extra,
  };
  expect(await redeemCode(env, input)).toEqual({ ok: true });
  return { sub, grantId, hash: token.hash, input };
}

function rotate(
  sub: string,
  grantId: string,
  presentedHash: string,
  extra: Record<string, unknown> = {},
) {
  return rotateRefreshToken(env, sub, {
    grantId,
    presentedHash,
    clientId: "client-1",
    newHash: randomToken(32),
    newExpiresAt: now() + 30 * DAY,
    graceSeconds: 0,
    retainUntil: now() + 600,
    // What client-1's registration allows: what its grants were made with, and a little more.
    clientAllows: { scope: ["openid", "profile", "email"] },
    now: now(),
    ...extra,
  });
}

const stub = (sub: string) => env.USER_OBJECTS.getByName(sub);

describe("user Durable Object: code redemption", () => {
  it("accepts a code once and starts the grant", async () => {
    const { sub, grantId } = await startedGrant();
    expect(await getGrantStatus(env, sub, grantId)).toMatchObject({
      state: "active",
      grant: { grantId, sub, clientId: "client-1", scope: ["openid", "profile"] },
    });
  });

  it("refuses a second redemption and revokes the grant and its refresh token", async () => {
    const { sub, grantId, hash, input } = await startedGrant();
    expect(await redeemCode(env, input)).toEqual({
      ok: false,
      reason: "code_reused",
      clientId: "client-1",
    });
    expect(await getGrantStatus(env, sub, grantId)).toMatchObject({ state: "revoked" });
    expect(await rotate(sub, grantId, hash)).toEqual({ ok: false, reason: "revoked" });
  });

  it("keeps a user's grants together in one object, each with its own code", async () => {
    const first = await startedGrant();
    const second = await startedGrant({ sub: first.sub, clientId: "client-2" });
    const listed = await listUserGrants(env, first.sub);
    expect(listed.map((g) => g.grantId).sort()).toEqual([first.grantId, second.grantId].sort());
    expect(await redeemCode(env, second.input)).toMatchObject({ reason: "code_reused" });
    expect((await getGrantStatus(env, first.sub, first.grantId)).state).toBe("active");
  });
});

describe("user Durable Object: refresh-token rotation (RFC 9700 §4.14.2)", () => {
  it("rotates the current token and returns the grant", async () => {
    const { sub, grantId, hash } = await startedGrant();
    expect(await rotate(sub, grantId, hash)).toMatchObject({
      ok: true,
      grant: { grantId, sub, scope: ["openid", "profile"] },
    });
  });

  it("treats a rotated token presented again as reuse and revokes the grant", async () => {
    const { sub, grantId, hash } = await startedGrant();
    const next = randomToken(32);
    expect(await rotate(sub, grantId, hash, { newHash: next })).toMatchObject({ ok: true });
    expect(await rotate(sub, grantId, hash)).toMatchObject({ ok: false, reason: "reused" });
    expect(await rotate(sub, grantId, next)).toEqual({ ok: false, reason: "revoked" });
  });

  it("gives a retry of the previous token within the grace the same sealed successor", async () => {
    const { sub, grantId, hash } = await startedGrant();
    const next = randomToken(32);
    const first = await rotate(sub, grantId, hash, {
      newHash: next,
      sealedNew: "sealed-successor",
      graceSeconds: GRACE,
    });
    expect(first).toMatchObject({ ok: true });
    expect(first).not.toHaveProperty("sealedSuccessor");
    const retry = await rotate(sub, grantId, hash, { graceSeconds: GRACE });
    expect(retry).toMatchObject({ ok: true, sealedSuccessor: "sealed-successor" });
    // The retry changed nothing: the successor is still the current token.
    expect(await getCurrentRefreshToken(env, sub, grantId, next, now())).toMatchObject({
      current: true,
    });
  });

  it("revokes the grant when the previous token comes back after the grace", async () => {
    const { sub, grantId, hash } = await startedGrant();
    const at = now();
    await rotate(sub, grantId, hash, { sealedNew: "s", graceSeconds: GRACE, now: at });
    expect(await rotate(sub, grantId, hash, { graceSeconds: GRACE, now: at + GRACE + 1 })).toMatchObject({
      ok: false,
      reason: "reused",
    });
    expect((await getGrantStatus(env, sub, grantId)).state).toBe("revoked");
  });

  it("revokes the grant when an older token comes back, even within the grace", async () => {
    const { sub, grantId, hash } = await startedGrant();
    const second = randomToken(32);
    await rotate(sub, grantId, hash, { newHash: second, sealedNew: "s1", graceSeconds: GRACE });
    await rotate(sub, grantId, second, { sealedNew: "s2", graceSeconds: GRACE });
    expect(await rotate(sub, grantId, hash, { graceSeconds: GRACE })).toMatchObject({
      reason: "reused",
    });
  });

  it("gives no grace when the rotation stored no successor (a public client)", async () => {
    const { sub, grantId, hash } = await startedGrant();
    await rotate(sub, grantId, hash, { graceSeconds: 0 });
    expect(await rotate(sub, grantId, hash, { graceSeconds: GRACE })).toMatchObject({
      reason: "reused",
    });
  });

  it("answers an unknown hash with unknown, without revoking", async () => {
    const { sub, grantId, hash } = await startedGrant();
    expect(await rotate(sub, grantId, randomToken(32))).toEqual({ ok: false, reason: "unknown" });
    expect(await rotate(sub, grantId, hash)).toMatchObject({ ok: true });
  });

  it("answers a grant or a user that was never started with unknown, leaving no storage", async () => {
    const sub = randomToken(16);
    expect(await rotate(sub, randomToken(16), randomToken(32))).toEqual({
      ok: false,
      reason: "unknown",
    });
    expect(await getGrantStatus(env, sub, randomToken(16))).toEqual({ state: "unknown" });
    expect(await revokeRefreshToken(env, sub, randomToken(16), randomToken(32), "c")).toBe("unknown");
    const stored = await runInDurableObject(stub(sub), async (_, state) => ({
      tables: state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table'").toArray(),
      alarm: await state.storage.getAlarm(),
    }));
    expect(stored).toEqual({ tables: [], alarm: null });
  });

  it("refuses another client without revoking the grant", async () => {
    const { sub, grantId, hash } = await startedGrant();
    expect(await rotate(sub, grantId, hash, { clientId: "client-2" })).toEqual({
      ok: false,
      reason: "client_mismatch",
    });
    expect(await rotate(sub, grantId, hash)).toMatchObject({ ok: true });
  });

  it("refuses an expired token", async () => {
    const { sub, grantId, hash } = await startedGrant();
    expect(await rotate(sub, grantId, hash, { now: now() + 30 * DAY })).toEqual({
      ok: false,
      reason: "expired",
    });
  });

  it("caps every refresh token at the grant's absolute end, then refuses", async () => {
    const at = now();
    const { sub, grantId, hash } = await startedGrant({ extra: { expiresAt: at + 40 * DAY } });
    const second = randomToken(32);
    const rotated = await rotate(sub, grantId, hash, { newHash: second, now: at + 20 * DAY, newExpiresAt: at + 50 * DAY });
    expect(rotated).toMatchObject({ ok: true, grant: { refreshExpiresAt: at + 40 * DAY } });
    expect(await rotate(sub, grantId, second, { now: at + 40 * DAY })).toEqual({
      ok: false,
      reason: "expired",
    });
  });

  it("refuses widening scope or resources before rotating anything", async () => {
    const { sub, grantId, hash } = await startedGrant();
    expect(await rotate(sub, grantId, hash, { scope: ["openid", "email"] })).toEqual({
      ok: false,
      reason: "invalid_scope",
    });
    expect(await rotate(sub, grantId, hash, { resource: ["https://api.example/b"] })).toEqual({
      ok: false,
      reason: "invalid_target",
    });
    expect(await rotate(sub, grantId, hash, { scope: ["openid"] })).toMatchObject({ ok: true });
  });
});

describe("user Durable Object: revocation", () => {
  it("revokes one grant and leaves the user's others", async () => {
    const first = await startedGrant();
    const second = await startedGrant({ sub: first.sub });
    expect(await revokeGrant(env, first.sub, first.grantId)).toBe(true);
    expect(await revokeGrant(env, first.sub, first.grantId)).toBe(false);
    expect(await rotate(first.sub, first.grantId, first.hash)).toEqual({ ok: false, reason: "revoked" });
    expect(await rotate(second.sub, second.grantId, second.hash)).toMatchObject({ ok: true });
  });

  it("revokes a grant for its client's refresh token only (RFC 7009 §2.1)", async () => {
    const { sub, grantId, hash } = await startedGrant();
    expect(await revokeRefreshToken(env, sub, grantId, hash, "client-2")).toBe("client_mismatch");
    expect(await revokeRefreshToken(env, sub, grantId, randomToken(32), "client-1")).toBe("unknown");
    expect(await revokeRefreshToken(env, sub, grantId, hash, "client-1")).toBe("revoked");
    expect((await getGrantStatus(env, sub, grantId)).state).toBe("revoked");
  });

  it("revokes every grant of a user, or of one client, and lists only live ones", async () => {
    const a = await startedGrant({ clientId: "client-a" });
    const b = await startedGrant({ sub: a.sub, clientId: "client-b" });
    const c = await startedGrant({ sub: a.sub, clientId: "client-b" });
    expect((await revokeUserGrants(env, a.sub, "client-b")).map((g) => g.grantId).sort()).toEqual(
      [b.grantId, c.grantId].sort(),
    );
    expect((await listUserGrants(env, a.sub)).map((g) => g.grantId)).toEqual([a.grantId]);
    expect((await revokeUserGrants(env, a.sub)).map((g) => g.grantId)).toEqual([a.grantId]);
    expect(await listUserGrants(env, a.sub)).toEqual([]);
  });

  it("refuses new codes of a deleted user", async () => {
    const { sub, grantId } = await startedGrant();
    expect((await closeUserGrants(env, sub)).map((g) => g.grantId)).toEqual([grantId]);
    const late = await newRefreshToken(sub, randomToken(16));
    expect(
      await redeemCode(env, {
        grantId: randomToken(16),
        clientId: "client-1",
        sub,
        scope: ["openid"],
        resource: [],
        authTime: now(),
        refreshTokenHash: late.hash,
        refreshExpiresAt: now() + DAY,
        expiresAt: now() + YEAR,
        retainUntil: now() + 600,
        now: now(),
      }),
    ).toEqual({ ok: false, reason: "user_deleted" });
  });
});

describe("user Durable Object: cleanup", () => {
  it("schedules its cleanup after the grant's retention", async () => {
    const at = now();
    const { sub } = await startedGrant({ at });
    const alarm = await runInDurableObject(stub(sub), (_, state) => state.storage.getAlarm());
    expect(alarm).toBeGreaterThanOrEqual((at + 30 * DAY) * 1000);
  });

  it("forgets everything when its alarm fires after the grants' lifetime", async () => {
    // A grant started 31 days ago: its refresh token and retention ended yesterday.
    const { sub, grantId } = await startedGrant({ at: now() - 31 * DAY });
    expect(await runDurableObjectAlarm(stub(sub))).toBe(true);
    expect(await getGrantStatus(env, sub, grantId)).toEqual({ state: "unknown" });
    expect(await runInDurableObject(stub(sub), (_, state) => state.storage.getAlarm())).toBeNull();
  });

  it("deletes expired grants and retired tokens but keeps live ones, and reschedules", async () => {
    const old = await startedGrant({ at: now() - 31 * DAY });
    const live = await startedGrant({ sub: old.sub });
    await rotate(live.sub, live.grantId, live.hash, { now: now() });
    expect(await runDurableObjectAlarm(stub(old.sub))).toBe(true);
    expect(await getGrantStatus(env, old.sub, old.grantId)).toEqual({ state: "unknown" });
    expect((await getGrantStatus(env, live.sub, live.grantId)).state).toBe("active");
    // The retired token is still remembered (it has not expired): presenting it is reuse.
    expect(await rotate(live.sub, live.grantId, live.hash)).toMatchObject({ reason: "reused" });
    expect(await runInDurableObject(stub(old.sub), (_, state) => state.storage.getAlarm())).not.toBeNull();
  });
});

describe("refresh token format", () => {
  it("carries the user, the grant id and 256 random bits, and parses back", async () => {
    const sub = randomToken(16);
    const grantId = randomToken(16);
    const { token, hash } = await newRefreshToken(sub, grantId);
    const [s, id, secret] = token.split(".");
    expect([s, id]).toEqual([sub, grantId]);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await parseRefreshToken(token)).toEqual({ sub, grantId, hash });
  });

  it("refuses malformed tokens with invalid_grant", async () => {
    for (const token of [
      "",
      "abc",
      "a.b",
      `${randomToken(16)}.${randomToken(32)}`,
      `${randomToken(16)}.${randomToken(16)}.${randomToken(16)}`,
      `x.y.${randomToken(32)}`,
      `${randomToken(16)}.${randomToken(16)}.${randomToken(32)}.x`,
      `../${randomToken(16)}.${randomToken(16)}.${randomToken(32)}`,
    ]) {
      await expect(parseRefreshToken(token), token).rejects.toThrow(OAuthError);
    }
  });

  it("seals a successor so that only this deployment can open it, and never in clear", async () => {
    const { token } = await newRefreshToken(randomToken(16), randomToken(16));
    const sealed = await sealRefreshToken(env, token, GRACE);
    expect(sealed).not.toContain(token);
    expect((await openRefreshToken(env, sealed))?.token).toBe(token);
    expect(await openRefreshToken(env, `${sealed.slice(0, -2)}AA`)).toBeNull();
  });
});
