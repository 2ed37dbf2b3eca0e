import {
  calculateJwkThumbprint,
  CompactSign,
  compactVerify,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
} from "jose";
import { describe, expect, it } from "vitest";
import { SIGNING_ALGS } from "../../src/config";
import { b64u } from "../../src/crypto/encoding";
import { generateSigningJwk, importSigningKey, jwkThumbprint } from "../../src/crypto/signing-keys";

const publicMembers = (jwk: JWK): JWK =>
  jwk.kty === "EC"
    ? { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }
    : { kty: jwk.kty, n: jwk.n, e: jwk.e };

describe("signing keys made with WebCrypto (RFC 7518 §3.3, §3.4; RFC 7638)", () => {
  for (const alg of SIGNING_ALGS) {
    it(`${alg}: a fresh key is a private JWK with jose's thumbprint; its public half verifies it`, async () => {
      const { jwk, thumbprint } = await generateSigningJwk(alg);
      expect(jwk).not.toHaveProperty("ext");
      expect(jwk).not.toHaveProperty("key_ops");
      expect(jwk).toHaveProperty("d");
      if (alg === "RS256") expect(b64u.decode(jwk.n!).length * 8).toBe(2048);
      else expect(jwk.crv).toBe("P-256");
      expect(thumbprint).toBe(await calculateJwkThumbprint(jwk, "sha256"));

      const key = await importSigningKey({ ...jwk, kid: thumbprint, alg }, alg);
      expect(key.type).toBe("private");
      expect(key.extractable).toBe(false);
      const jws = await new CompactSign(new TextEncoder().encode("x"))
        .setProtectedHeader({ alg, kid: thumbprint })
        .sign(key);
      await expect(compactVerify(jws, await importJWK(publicMembers(jwk), alg))).resolves.toBeTruthy();
    });

    it(`${alg}: imports a key stored before (jose's generateKeyPair and exportJWK)`, async () => {
      const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
      const stored = await exportJWK(privateKey);
      const kid = await calculateJwkThumbprint(stored);
      expect(await jwkThumbprint(stored)).toBe(kid);
      const key = await importSigningKey({ ...stored, kid, alg }, alg);
      const jws = await new CompactSign(new TextEncoder().encode("x"))
        .setProtectedHeader({ alg })
        .sign(key);
      await expect(compactVerify(jws, publicKey)).resolves.toBeTruthy();
    });
  }

  it("has no thumbprint for a key missing a required member", async () => {
    await expect(jwkThumbprint({ kty: "EC", crv: "P-256", x: "AA" })).rejects.toThrow(TypeError);
    await expect(jwkThumbprint({ kty: "oct", k: "AA" })).rejects.toThrow(TypeError);
  });
});
