import { describe, expect, it } from "vitest";
import { seal, unseal } from "../../src/crypto/seal";

/** A sealing key of the shape the KeyStore's secret gives (AES-256-GCM, not extractable). */
function newKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, [
    "encrypt",
    "decrypt",
  ]) as Promise<CryptoKey>;
}

describe("sealing with the key it is given (RFC 7516 compact JWE, dir + A256GCM)", () => {
  it("opens what it sealed with the same key and purpose", async () => {
    const key = await newKey();
    const sealed = await seal(key, "session", { sub: "user-1" }, 60);
    expect(await unseal(key, "session", sealed)).toMatchObject({ sub: "user-1" });
  });

  it("opens nothing sealed under another key", async () => {
    const sealed = await seal(await newKey(), "session", { sub: "user-1" }, 60);
    expect(await unseal(await newKey(), "session", sealed)).toBeNull();
  });

  it("opens nothing sealed for another purpose", async () => {
    const key = await newKey();
    const sealed = await seal(key, "session", { sub: "user-1" }, 60);
    expect(await unseal(key, "code", sealed)).toBeNull();
  });
});
