import { decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { type SealKeys, seal, unseal } from "../../src/crypto/seal";

/** A sealing key of the shape the KeyStore's secret gives (AES-256-GCM, not extractable). */
function newCryptoKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, [
    "encrypt",
    "decrypt",
  ]) as Promise<CryptoKey>;
}

/** A key ring holding one key, current. */
async function newKey(kid = crypto.randomUUID()): Promise<SealKeys> {
  const key = await newCryptoKey();
  return { current: { kid, key }, byKid: new Map([[kid, key]]) };
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

  it("names its key in the header and opens what an older key sealed, by that key's kid", async () => {
    const before = await newKey("seal-1");
    const sealed = await seal(before, "code", { c: 1 }, 60);
    expect(decodeProtectedHeader(sealed)).toMatchObject({ kid: "seal-1", alg: "dir" });
    // After a rotation: seal-2 seals, seal-1 (retired) still opens.
    const next = await newCryptoKey();
    const after: SealKeys = {
      current: { kid: "seal-2", key: next },
      byKid: new Map([
        ["seal-1", before.current.key],
        ["seal-2", next],
      ]),
    };
    expect(await unseal(after, "code", sealed)).toMatchObject({ c: 1 });
    expect(decodeProtectedHeader(await seal(after, "code", { c: 2 }, 60)).kid).toBe("seal-2");
    // Once seal-1 is dropped, its values open no more.
    const dropped: SealKeys = { current: after.current, byKid: new Map([["seal-2", next]]) };
    expect(await unseal(dropped, "code", sealed)).toBeNull();
  });

  it("does not try another key when the named one is unknown", async () => {
    const keys = await newKey("seal-a");
    const sealed = await seal(keys, "session", { sub: "u" }, 60);
    // The same key under another name: the kid no longer matches any key held.
    const renamed: SealKeys = {
      current: { kid: "seal-b", key: keys.current.key },
      byKid: new Map([["seal-b", keys.current.key]]),
    };
    expect(await unseal(renamed, "session", sealed)).toBeNull();
  });
});
