import { env } from "cloudflare:workers";
import { CompactSign, calculateJwkThumbprint, compactVerify, importJWK } from "jose";
import { describe, expect, it } from "vitest";
import { SIGNING_ALGS } from "../../src/config";
import { b64u } from "../../src/crypto/encoding";
import { getPublicJwks, getSealKey, getSigningKey, reloadKeys } from "../../src/storage/keys";

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

describe("signing keys", () => {
  it("concurrent first calls to a KeyStore create one key set", async () => {
    // A fresh object: this test sees its very first calls, whatever else ran before.
    const store = env.KEYS.getByName(`keys-test-${crypto.randomUUID()}`);
    const sets = await Promise.all([store.getKeySet(), store.getKeySet(), store.getKeySet()]);
    const kids = sets.map((s) => s.signingKeys.map((k) => k.kid).join(","));
    expect(new Set(kids).size).toBe(1);
    expect(new Set(sets.map((s) => s.sealKeys.map((k) => k.secret).join(","))).size).toBe(1);
    // A current and a next key per algorithm and for sealing, from the first use on.
    const first = sets[0]!;
    for (const alg of SIGNING_ALGS) {
      const line = first.signingKeys.filter((k) => k.alg === alg);
      expect(line.map((k) => k.status).sort(), alg).toEqual(["current", "next"]);
    }
    expect(first.sealKeys.map((k) => k.status).sort()).toEqual(["current", "next"]);
  });

  it("signs with the KeyStore's current key for each algorithm, under the kid the JWKS publishes", async () => {
    // Read the stored key set from the Durable Object itself, not through the isolate's cache.
    const stored = await env.KEYS.getByName("keys").getKeySet();
    const jwks = await getPublicJwks(env);
    for (const alg of SIGNING_ALGS) {
      const current = stored.signingKeys.filter((k) => k.alg === alg && k.status === "current");
      expect(current, alg).toHaveLength(1);
      const { kid, privateJwk } = current[0]!;
      const key = await getSigningKey(env, alg);
      expect(key.kid, alg).toBe(kid);
      expect(key.privateKey.type).toBe("private");
      const published = jwks.keys.find((k) => k.kid === kid);
      expect(published?.alg, alg).toBe(alg);
      // The kid is the RFC 7638 thumbprint of the published public key.
      expect(await calculateJwkThumbprint(published!)).toBe(kid);
      expect(privateJwk.kid).toBe(kid);
      // And the imported private key is that key: what it signs, the published key verifies.
      const jws = await new CompactSign(new TextEncoder().encode(alg))
        .setProtectedHeader({ alg, kid })
        .sign(key.privateKey);
      await expect(compactVerify(jws, await importJWK(published!, alg))).resolves.toBeTruthy();
    }
  });

  it("the JWKS has public members only and distinct kids: every key the KeyStore holds", async () => {
    await reloadKeys(env);
    const jwks = await getPublicJwks(env);
    const stored = await env.KEYS.getByName("keys").getKeySet();
    expect(new Set(jwks.keys.map((k) => k.kid)).size).toBe(jwks.keys.length);
    for (const key of jwks.keys) {
      for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
      expect(key.use).toBe("sig");
    }
    // Next, current and retired keys: the signing ones are among them.
    expect(jwks.keys.map((k) => k.kid).sort()).toEqual(stored.signingKeys.map((k) => k.kid).sort());
    const es = await getSigningKey(env, "ES256");
    const rs = await getSigningKey(env, "RS256");
    expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([es.kid, rs.kid]));
  });

  it("the sealing secret is a 256-bit key, imported once per isolate and not extractable", async () => {
    const store = env.KEYS.getByName("keys");
    for (const { secret } of (await store.getKeySet()).sealKeys) {
      expect(b64u.decode(secret).byteLength).toBe(32);
    }
    const keys = await getSealKey(env);
    expect(keys).toBe(await getSealKey(env));
    const key = keys.current.key;
    expect(key.extractable).toBe(false);
    expect(key.algorithm).toMatchObject({ name: "AES-GCM", length: 256 });
  });
});
