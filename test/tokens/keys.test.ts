import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { b64u } from "../../src/crypto/encoding";
import { getPublicJwks, getSealKey, getSigningKey } from "../../src/tokens/keys";

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

describe("signing keys", () => {
  it("concurrent first calls to a KeyStore create one key set", async () => {
    // A fresh object: this test sees its very first calls, whatever else ran before.
    const store = env.KEYS.getByName(`keys-test-${crypto.randomUUID()}`);
    const sets = await Promise.all([store.getKeySet(), store.getKeySet(), store.getKeySet()]);
    const kids = sets.map((s) => s.signingKeys.map((k) => k.kid).join(","));
    expect(new Set(kids).size).toBe(1);
    expect(new Set(sets.map((s) => s.secrets.seal)).size).toBe(1);
    expect(sets[0]!.signingKeys.map((k) => k.alg).sort()).toEqual(["ES256", "RS256"]);
  });

  it("every call gives the same kid for an algorithm", async () => {
    const [a, b] = await Promise.all([getSigningKey(env, "ES256"), getSigningKey(env, "ES256")]);
    const c = await getSigningKey(env, "ES256");
    expect(a.kid).toBe(b.kid);
    expect(a.kid).toBe(c.kid);
    expect(a.privateKey.type).toBe("private");
  });

  it("the JWKS has public members only and distinct kids, one per algorithm", async () => {
    const jwks = await getPublicJwks(env);
    expect(jwks.keys.map((k) => k.alg).sort()).toEqual(["ES256", "RS256"]);
    expect(new Set(jwks.keys.map((k) => k.kid)).size).toBe(jwks.keys.length);
    for (const key of jwks.keys) {
      for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
      expect(key.use).toBe("sig");
    }
    const es = await getSigningKey(env, "ES256");
    const rs = await getSigningKey(env, "RS256");
    expect(jwks.keys.map((k) => k.kid).sort()).toEqual([es.kid, rs.kid].sort());
  });

  it("the sealing secret is a 256-bit key, imported once per isolate and not extractable", async () => {
    const store = env.KEYS.getByName("keys");
    expect(b64u.decode((await store.getKeySet()).secrets.seal).byteLength).toBe(32);
    const key = await getSealKey(env);
    expect(key).toBe(await getSealKey(env));
    expect(key.extractable).toBe(false);
    expect(key.algorithm).toMatchObject({ name: "AES-GCM", length: 256 });
  });
});
