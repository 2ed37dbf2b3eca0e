/**
 * A key rotation seen from outside (issue 13 point 3): the next key is in the JWKS before it
 * signs, a rotation in the middle of a flow breaks nothing (the code sealed under the old
 * sealing key still redeems, tokens signed before and after verify against the JWKS served),
 * and POST /admin/keys/rotate answers as DESIGN.md says. One rotation of the deployment's keys
 * in this file: every key it retires stays valid for its products' lifetime, so test files
 * running beside it are not disturbed.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  type JSONWebKeySet,
  jwtVerify,
} from "jose";
import { describe, expect, it } from "vitest";
import { type KeySet, type KeyStatus, MIN_PUBLISHED_SECONDS } from "../../src/storage/key-store";
import { TestBrowser, authorizationRequest } from "../helpers/browser";
import type { TokenResponseBody } from "../helpers/codes";
import { createClient, createUser } from "../helpers/fixtures";
import { obtainCode, obtainTokens, redeem, userinfo } from "../helpers/flow";
import { ADMIN_TOKEN, ORIGIN, admin, request } from "../helpers/http";

const storedKeys = (): Promise<KeySet> => env.KEYS.getByName("keys").getKeySet();

const signingKids = (set: KeySet, status: KeyStatus) =>
  set.signingKeys.filter((k) => k.status === status).map((k) => k.kid).sort();

const sealKid = (set: KeySet, status: KeyStatus) =>
  set.sealKeys.filter((k) => k.status === status).map((k) => k.kid);

async function servedJwks(): Promise<JSONWebKeySet> {
  const res = await request("/jwks.json");
  expect(res.status).toBe(200);
  return (await res.json()) as JSONWebKeySet;
}

const kidOf = (jwt: string) => decodeProtectedHeader(jwt).kid;

/** Verifies an access token and an ID token against a JWKS as a relying party would. */
async function verifyAgainst(jwks: JSONWebKeySet, tokens: TokenResponseBody, clientId: string) {
  const keys = createLocalJWKSet(jwks);
  await jwtVerify(tokens.access_token, keys, { issuer: ORIGIN, typ: "at+jwt" });
  await jwtVerify(tokens.id_token ?? "", keys, { issuer: ORIGIN, audience: clientId });
}

describe("signing- and sealing-key rotation through HTTP", () => {
  it("publishes the next key of each algorithm before it signs anything", async () => {
    const stored = await storedKeys();
    const next = signingKids(stored, "next");
    expect(next).toHaveLength(2);
    const res = await request("/jwks.json");
    // A verifier's cache must not outlive the time a next key is published before it signs.
    expect(res.headers.get("Cache-Control")).toMatch(/max-age=(\d{1,3})\b/);
    const maxAge = Number(/max-age=(\d+)/.exec(res.headers.get("Cache-Control") ?? "")?.[1]);
    expect(maxAge).toBeLessThanOrEqual(600);
    const published = ((await res.json()) as JSONWebKeySet).keys.map((k) => k.kid);
    expect(published).toEqual(expect.arrayContaining([...next, ...signingKids(stored, "current")]));
    expect(new Set(published).size).toBe(published.length);

    const client = await createClient();
    const tokens = await obtainTokens(client, await createUser());
    expect(signingKids(stored, "current")).toContain(kidOf(tokens.access_token));
    expect(signingKids(stored, "current")).toContain(kidOf(tokens.id_token ?? ""));
    expect(next).not.toContain(kidOf(tokens.access_token));
    expect(next).not.toContain(kidOf(tokens.id_token ?? ""));
  });

  it("a rotation in the middle of a flow: authorize under key 1, redeem and verify under key 2", async () => {
    const client = await createClient();
    const user = await createUser();
    const browser = new TestBrowser();
    // Before: tokens signed by key 1, a session and a code sealed under seal key 1.
    const before = await obtainTokens(client, user, browser);
    const issued = await obtainCode(client, user, browser);
    const stored1 = await storedKeys();
    const current1 = signingKids(stored1, "current");
    const next1 = signingKids(stored1, "next");
    expect(current1).toContain(kidOf(before.access_token));
    expect(decodeProtectedHeader(issued.code).kid).toBe(sealKid(stored1, "current")[0]);

    // The next keys must have been published MIN_PUBLISHED_SECONDS before they may sign: make
    // them look that old, as a scheduled period or an earlier rotation would have left them.
    await runInDurableObject(env.KEYS.getByName("keys"), (_instance, state) => {
      state.storage.sql.exec(
        "UPDATE key_ring SET status_at = status_at - ? WHERE status = 'next'",
        MIN_PUBLISHED_SECONDS,
      );
    });
    const res = await admin("POST", "/keys/rotate");
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const rotated = (await res.json()) as { current: string[]; next: string[] };
    // The keys published as next are now current; two new next keys, never seen before.
    expect([...rotated.current].sort()).toEqual(next1);
    expect(rotated.next).toHaveLength(2);
    for (const kid of rotated.next) {
      expect([...current1, ...next1]).not.toContain(kid);
    }
    const stored2 = await storedKeys();
    expect(signingKids(stored2, "current")).toEqual([...rotated.current].sort());
    expect(signingKids(stored2, "next")).toEqual([...rotated.next].sort());
    expect(signingKids(stored2, "retired")).toEqual(expect.arrayContaining(current1));
    expect(sealKid(stored2, "retired")).toContain(sealKid(stored1, "current")[0]);

    // The code sealed under the old sealing key still redeems; the tokens are signed by key 2.
    const redeemed = await redeem(issued);
    expect(redeemed.status).toBe(200);
    const after = (await redeemed.json()) as TokenResponseBody;
    expect(rotated.current).toContain(kidOf(after.access_token));
    expect(rotated.current).toContain(kidOf(after.id_token ?? ""));

    // The JWKS served now: next, current and the retired key 1, so both generations verify.
    const jwks = await servedJwks();
    const published = jwks.keys.map((k) => k.kid);
    expect(published).toEqual(
      expect.arrayContaining([...rotated.current, ...rotated.next, ...current1]),
    );
    await verifyAgainst(jwks, after, client.client_id);
    await verifyAgainst(jwks, before, client.client_id);
    // Gatehouse itself accepts both.
    expect((await userinfo(before.access_token)).status).toBe(200);
    expect((await userinfo(after.access_token)).status).toBe(200);

    // The session sealed under the old sealing key still opens: no login page this time.
    const silent = await authorizationRequest(client, { extra: { prompt: "none" } });
    const again = await browser.fetch(silent.url);
    expect(again.status).toBe(302);
    expect(new URL(again.headers.get("Location") ?? "").searchParams.get("code")).toBeTruthy();
    // …and a value sealed now names the new sealing key.
    const fresh = await obtainCode(client, user, browser);
    expect(decodeProtectedHeader(fresh.code).kid).toBe(sealKid(stored2, "current")[0]);

    // Rotating again at once would make keys sign that verifiers may not have cached yet.
    const again2 = await admin("POST", "/keys/rotate");
    expect(again2.status).toBe(409);
    expect(await again2.json()).toMatchObject({ error: "conflict" });
    const retryAfter = Number(again2.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(MIN_PUBLISHED_SECONDS);
    expect(signingKids(await storedKeys(), "current")).toEqual([...rotated.current].sort());
  });

  it("POST /admin/keys/rotate needs the admin token and rotates nothing without it", async () => {
    const before = signingKids(await storedKeys(), "current");
    const attempts: Record<string, string>[] = [{}, { Authorization: "Bearer not-the-admin-token" }];
    for (const headers of attempts) {
      const res = await request("/admin/keys/rotate", { method: "POST", headers });
      expect(res.status).toBe(401);
      expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer /);
    }
    expect(signingKids(await storedKeys(), "current")).toEqual(before);
    // The right token on the wrong method: not a rotation either.
    const get = await request("/admin/keys/rotate", {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(get.status).toBe(404);
    expect(signingKids(await storedKeys(), "current")).toEqual(before);
  });
});
