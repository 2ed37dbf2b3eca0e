/**
 * The KeyStore's rotation, on objects of their own (not the deployment's "keys"), so that
 * retiring and dropping keys here never touches the keys other test files sign with: the alarm
 * rotates and re-arms itself, retired keys stay exactly as long as what they made can be valid
 * (a bound computed from the configuration), and keys kept before rotation existed carry over.
 */
import { env } from "cloudflare:workers";
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { EncryptJWT, exportJWK, generateKeyPair } from "jose";
import { describe, expect, it } from "vitest";
import { ConfigError, getConfig, SIGNING_ALGS } from "../../src/config";
import { b64u } from "../../src/crypto/encoding";
import { randomToken } from "../../src/crypto/random";
import { type SealKeys, UNNAMED_SEAL_KID, unseal } from "../../src/crypto/seal";
import {
  ISOLATE_KEYS_TTL_SECONDS,
  JWKS_MAX_AGE_SECONDS,
  type KeySet,
  type KeyStatus,
  type KeyStore,
  MIN_PUBLISHED_SECONDS,
  type RotationResult,
  type RotationTooSoon,
  retentionSeconds,
} from "../../src/storage/key-store";

const freshStore = () => env.KEYS.getByName(`key-store-test-${crypto.randomUUID()}`);

const kids = (set: KeySet, status: KeyStatus) => [
  ...set.signingKeys.filter((k) => k.status === status).map((k) => k.kid),
  ...set.sealKeys.filter((k) => k.status === status).map((k) => k.kid),
];

const alarmOf = (store: DurableObjectStub<KeyStore>) =>
  runInDurableObject(store, (_instance, state) => state.storage.getAlarm());

/**
 * Makes the next keys look published MIN_PUBLISHED_SECONDS ago, as they are when a period has
 * passed: a rotation refuses to promote keys published more recently.
 */
function nextPublishedLongAgo(store: DurableObjectStub<KeyStore>) {
  return runInDurableObject(store, (_instance, state) => {
    state.storage.sql.exec(
      "UPDATE key_ring SET status_at = status_at - ? WHERE status = 'next'",
      MIN_PUBLISHED_SECONDS,
    );
  });
}

function rotated(outcome: RotationResult | RotationTooSoon): RotationResult {
  if ("retryAfter" in outcome) throw new Error(`rotation refused: retry after ${outcome.retryAfter}`);
  return outcome;
}

/** Moves the time every retired sealing key (`seal`) or signing key (otherwise) retired to `at`. */
function retiredAt(store: DurableObjectStub<KeyStore>, seal: boolean, at: number) {
  return runInDurableObject(store, (_instance, state) => {
    state.storage.sql.exec(
      `UPDATE key_ring SET status_at = ? WHERE status = 'retired' AND (line = 'seal') = ?`,
      at,
      seal ? 1 : 0,
    );
  });
}

describe("the KeyStore's rotation", () => {
  it("the scheduled alarm rotates every key one period after the current keys took over", async () => {
    const store = freshStore();
    const first = await store.getKeySet();
    const period = getConfig(env).keyRotationPeriod;
    expect(period).toBeGreaterThan(0);
    const now = Date.now();
    const alarm = await alarmOf(store);
    expect(alarm).not.toBeNull();
    // Armed for one period after the keys became current (whole seconds).
    expect(Math.abs((alarm ?? 0) - (now + period * 1000))).toBeLessThan(5_000);

    await nextPublishedLongAgo(store);
    expect(await runDurableObjectAlarm(store)).toBe(true);
    const second = await store.getKeySet();
    expect(kids(second, "current").sort()).toEqual(kids(first, "next").sort());
    expect(kids(second, "retired").sort()).toEqual(kids(first, "current").sort());
    expect(kids(second, "next")).toHaveLength(SIGNING_ALGS.length + 1);
    for (const kid of kids(second, "next")) expect(kids(first, "current")).not.toContain(kid);
    // …and armed again for the next period.
    const rearmed = await alarmOf(store);
    expect(Math.abs((rearmed ?? 0) - (Date.now() + period * 1000))).toBeLessThan(5_000);
  });

  it("an on-demand rotation answers the signing kids now current and next, and restarts the period", async () => {
    const store = freshStore();
    const first = await store.getKeySet();
    await nextPublishedLongAgo(store);
    const result = rotated(await store.rotate());
    const after = await store.getKeySet();
    const signing = (set: KeySet, status: KeyStatus) =>
      set.signingKeys.filter((k) => k.status === status).map((k) => k.kid).sort();
    expect([...result.current].sort()).toEqual(signing(first, "next"));
    expect([...result.next].sort()).toEqual(signing(after, "next"));
    expect(signing(after, "retired")).toEqual(signing(first, "current"));
    const period = getConfig(env).keyRotationPeriod;
    expect(Math.abs(((await alarmOf(store)) ?? 0) - (Date.now() + period * 1000))).toBeLessThan(5_000);
  });

  it("refuses to promote a next key published for less than the JWKS max-age plus the isolate cache", async () => {
    expect(MIN_PUBLISHED_SECONDS).toBeGreaterThanOrEqual(JWKS_MAX_AGE_SECONDS + ISOLATE_KEYS_TTL_SECONDS);
    const store = freshStore();
    const first = await store.getKeySet();
    // The next keys were created moments ago (first use): too soon.
    const refused = await store.rotate();
    expect(refused).toHaveProperty("retryAfter");
    const wait = (refused as RotationTooSoon).retryAfter;
    expect(wait).toBeGreaterThan(MIN_PUBLISHED_SECONDS - 10);
    expect(wait).toBeLessThanOrEqual(MIN_PUBLISHED_SECONDS);
    expect(await store.getKeySet()).toEqual(first);
    // Once they have been published long enough, the same call rotates; the new next keys are
    // then too new in turn.
    await nextPublishedLongAgo(store);
    rotated(await store.rotate());
    expect(await store.rotate()).toHaveProperty("retryAfter");
  });

  it("keeps a retired signing key for ACCESS_TOKEN_TTL plus the isolate cache and skew, then drops it", async () => {
    const config = getConfig(env);
    const { signing } = retentionSeconds(config);
    // Tokens live ACCESS_TOKEN_TTL (access and ID tokens); an isolate may sign with a key for
    // up to its cache TTL after the key retired.
    expect(signing).toBeGreaterThanOrEqual(config.accessTokenTtl + ISOLATE_KEYS_TTL_SECONDS);
    const store = freshStore();
    const first = await store.getKeySet();
    await nextPublishedLongAgo(store);
    rotated(await store.rotate());
    const retired = first.signingKeys.filter((k) => k.status === "current").map((k) => k.kid);
    const now = Math.floor(Date.now() / 1000);

    await retiredAt(store, false, now - signing + 30);
    expect(kids(await store.getKeySet(), "retired")).toEqual(expect.arrayContaining(retired));

    await retiredAt(store, false, now - signing - 1);
    const after = await store.getKeySet();
    for (const kid of retired) expect(after.signingKeys.map((k) => k.kid)).not.toContain(kid);
    // The sealing key retired at the same rotation lives on: its bound is longer.
    expect(after.sealKeys.filter((k) => k.status === "retired")).toHaveLength(1);
  });

  it("keeps a retired sealing key for the longest sealed lifetime (SESSION_TTL here), then drops it", async () => {
    const config = getConfig(env);
    const { seal } = retentionSeconds(config);
    expect(seal).toBeGreaterThanOrEqual(config.sessionTtl + ISOLATE_KEYS_TTL_SECONDS);
    expect(seal).toBeGreaterThanOrEqual(config.codeTtl + ISOLATE_KEYS_TTL_SECONDS);
    const store = freshStore();
    const first = await store.getKeySet();
    await nextPublishedLongAgo(store);
    rotated(await store.rotate());
    const retired = first.sealKeys.find((k) => k.status === "current")?.kid;
    const now = Math.floor(Date.now() / 1000);

    await retiredAt(store, true, now - seal + 30);
    expect((await store.getKeySet()).sealKeys.map((k) => k.kid)).toContain(retired);
    await retiredAt(store, true, now - seal - 1);
    expect((await store.getKeySet()).sealKeys.map((k) => k.kid)).not.toContain(retired);
  });

  it("carries over the keys kept before rotation: they stay current, unnamed sealed values still open", async () => {
    const store = freshStore();
    await store.getKeySet();
    // Storage as the KeyStore before rotation left it: signing_keys and secrets, no key_ring.
    const old = await Promise.all(
      SIGNING_ALGS.map(async (alg) => {
        const { privateKey } = await generateKeyPair(alg, { extractable: true });
        return { alg, kid: `old-${alg}`, jwk: await exportJWK(privateKey) };
      }),
    );
    const secret = randomToken(32);
    await runInDurableObject(store, (_instance, state) => {
      const sql = state.storage.sql;
      sql.exec("DROP TABLE key_ring");
      sql.exec(`CREATE TABLE signing_keys (kid TEXT PRIMARY KEY, alg TEXT NOT NULL,
        private_jwk TEXT NOT NULL, status TEXT NOT NULL, created_at INTEGER NOT NULL)`);
      sql.exec(`CREATE TABLE secrets (purpose TEXT PRIMARY KEY, value TEXT NOT NULL,
        created_at INTEGER NOT NULL)`);
      for (const { alg, kid, jwk } of old) {
        sql.exec(
          "INSERT INTO signing_keys VALUES (?, ?, ?, 'current', 1)",
          kid,
          alg,
          JSON.stringify({ ...jwk, kid, alg }),
        );
      }
      sql.exec("INSERT INTO secrets VALUES ('seal', ?, 1)", secret);
    });
    await evictDurableObject(store);

    const set = await store.getKeySet();
    expect(set.signingKeys.filter((k) => k.status === "current").map((k) => k.kid).sort()).toEqual(
      old.map((k) => k.kid).sort(),
    );
    expect(set.signingKeys.filter((k) => k.status === "next")).toHaveLength(SIGNING_ALGS.length);
    const unnamed = set.sealKeys.find((k) => k.kid === UNNAMED_SEAL_KID);
    expect(unnamed).toMatchObject({ status: "current", secret });
    expect(set.sealKeys.filter((k) => k.status === "next")).toHaveLength(1);

    // A value sealed before rotation carries no kid and opens under the carried-over secret.
    const key = (await crypto.subtle.importKey(
      "raw",
      b64u.decode(secret) as Uint8Array<ArrayBuffer>,
      "AES-GCM",
      false,
      ["encrypt", "decrypt"],
    )) as CryptoKey;
    const sealed = await new EncryptJWT({ sub: "u" })
      .setProtectedHeader({ alg: "dir", enc: "A256GCM", typ: "session" })
      .setExpirationTime("1m")
      .encrypt(key);
    const keys: SealKeys = {
      current: { kid: UNNAMED_SEAL_KID, key },
      byKid: new Map([[UNNAMED_SEAL_KID, key]]),
    };
    expect(await unseal(keys, "session", sealed)).toMatchObject({ sub: "u" });
  });
});

describe("KEY_ROTATION_PERIOD", () => {
  const period = (value?: string) =>
    getConfig({ ...env, ...(value === undefined ? {} : { KEY_ROTATION_PERIOD: value }) })
      .keyRotationPeriod;

  it("defaults to 30 days, accepts 0 (never) and periods of a day or more", () => {
    expect(period()).toBe(30 * 86_400);
    expect(period("0")).toBe(0);
    expect(period("86400")).toBe(86_400);
  });

  it("refuses a period shorter than a day: the JWKS cache must expire before a next key signs", () => {
    expect(() => period("3600")).toThrow(ConfigError);
    expect(() => period("-1")).toThrow(ConfigError);
  });
});
