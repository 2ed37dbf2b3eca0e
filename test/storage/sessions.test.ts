/**
 * The sessions table of the user's Durable Object (src/storage/sessions.ts,
 * src/storage/session-table.ts): the server side of a browser session, which the sealed cookie's
 * periodic check asks about and which the admin API lists and ends.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { randomToken } from "../../src/crypto/random";
import { closeUserGrants, redeemCode } from "../../src/storage/grants";
import {
  checkSession,
  endSessions,
  listSessions,
  recordSession,
  type SessionRecord,
} from "../../src/storage/sessions";

const now = () => Math.floor(Date.now() / 1000);
const DAY = 86_400;
const stub = (sub: string) => env.USER_OBJECTS.getByName(sub);

/** Records a session of `sub` (default: a new user) that started `ago` seconds ago and lasts `ttl`. */
async function recorded(options: { sub?: string; ago?: number; ttl?: number } = {}) {
  const sub = options.sub ?? randomToken(16);
  const at = now() - (options.ago ?? 0);
  const session: Omit<SessionRecord, "lastSeenAt"> = {
    sid: randomToken(16),
    createdAt: at,
    authTime: at,
    amr: ["pwd"],
    expiresAt: at + (options.ttl ?? DAY),
    userAgent: "TestBrowser/1",
  };
  expect(await recordSession(env, sub, session)).toBe(true);
  return { sub, session };
}

const tables = (sub: string) =>
  runInDurableObject(stub(sub), (_, state) =>
    state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table'").toArray(),
  );

describe("user Durable Object: sessions", () => {
  it("records a session, confirms it while it lives and lists it", async () => {
    const { sub, session } = await recorded();
    expect(await checkSession(env, sub, session.sid)).toBe(true);
    const listed = await listSessions(env, sub);
    expect(listed).toEqual([{ ...session, lastSeenAt: expect.any(Number) as number }]);
    expect(listed[0]!.lastSeenAt).toBeGreaterThanOrEqual(session.createdAt);
  });

  it("does not confirm an unknown sid, another user's sid or an expired session", async () => {
    const { sub, session } = await recorded();
    const other = await recorded();
    expect(await checkSession(env, sub, randomToken(16))).toBe(false);
    expect(await checkSession(env, sub, other.session.sid)).toBe(false);
    const expired = await recorded({ sub, ago: 2 * DAY, ttl: DAY });
    expect(await checkSession(env, sub, expired.session.sid)).toBe(false);
    expect((await listSessions(env, sub)).map((s) => s.sid)).toEqual([session.sid]);
  });

  it("ends one session, leaving the others, then all of them", async () => {
    const { sub, session: first } = await recorded({ ago: 10 });
    const { session: second } = await recorded({ sub });
    const { session: third } = await recorded({ sub });
    expect((await endSessions(env, sub, first.sid)).map((s) => s.sid)).toEqual([first.sid]);
    expect(await endSessions(env, sub, first.sid)).toEqual([]);
    expect(await checkSession(env, sub, first.sid)).toBe(false);
    expect(await checkSession(env, sub, second.sid)).toBe(true);
    const ended = await endSessions(env, sub);
    expect(ended.map((s) => s.sid).sort()).toEqual([second.sid, third.sid].sort());
    expect(await listSessions(env, sub)).toEqual([]);
    expect(await checkSession(env, sub, third.sid)).toBe(false);
  });

  it("asking about a user who never signed in leaves no storage behind", async () => {
    const sub = randomToken(16);
    expect(await checkSession(env, sub, randomToken(16))).toBe(false);
    expect(await listSessions(env, sub)).toEqual([]);
    expect(await endSessions(env, sub)).toEqual([]);
    expect(await tables(sub)).toEqual([]);
  });

  it("a deleted user's sessions end, and none can start afterwards", async () => {
    const { sub, session } = await recorded();
    await closeUserGrants(env, sub);
    expect(await checkSession(env, sub, session.sid)).toBe(false);
    expect(await listSessions(env, sub)).toEqual([]);
    const late = { sid: randomToken(16), createdAt: now(), authTime: now(), expiresAt: now() + DAY };
    expect(await recordSession(env, sub, late)).toBe(false);
    expect(await checkSession(env, sub, late.sid)).toBe(false);
  });
});

describe("user Durable Object: session cleanup", () => {
  it("schedules its alarm after the session's expiry at the latest", async () => {
    const { sub, session } = await recorded({ ttl: 2 * 3600 });
    const alarm = await runInDurableObject(stub(sub), (_, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();
    expect(alarm!).toBeLessThanOrEqual((session.expiresAt + 2 * 3600) * 1000);
  });

  it("deletes expired sessions and keeps live ones, then forgets the object once empty", async () => {
    const { sub } = await recorded({ ago: 2 * DAY, ttl: DAY });
    const { session: live } = await recorded({ sub });
    expect(await runDurableObjectAlarm(stub(sub))).toBe(true);
    const left = await runInDurableObject(stub(sub), async (_, state) => ({
      sids: state.storage.sql.exec<{ sid: string }>("SELECT sid FROM sessions").toArray(),
      alarm: await state.storage.getAlarm(),
    }));
    // The expired session's row is gone (listing would hide it anyway; the table must not keep it).
    expect(left.sids.map((r) => r.sid)).toEqual([live.sid]);
    expect(left.alarm).not.toBeNull();

    await endSessions(env, sub);
    expect(await runDurableObjectAlarm(stub(sub))).toBe(true);
    expect(await tables(sub)).toEqual([]);
  });

  it("keeps the grants when only sessions expire", async () => {
    const { sub } = await recorded({ ago: 2 * DAY, ttl: DAY });
    const grantId = randomToken(16);
    const at = now();
    await redeemCode(env, {
      grantId,
      clientId: "client-1",
      sub,
      scope: ["openid"],
      resource: [],
      authTime: at,
      expiresAt: at + 365 * DAY,
      retainUntil: at + 600,
      now: at,
    });
    expect(await runDurableObjectAlarm(stub(sub))).toBe(true);
    const names = (await tables(sub)).map((t) => t.name);
    expect(names).toContain("grants");
    expect(await listSessions(env, sub)).toEqual([]);
  });
});
