import { decodeProtectedHeader, EncryptJWT, jwtDecrypt } from "jose";
import { describe, expect, it } from "vitest";
import { b64u } from "../../src/crypto/encoding";
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

  it("opens nothing that has expired", async () => {
    const key = await newKey();
    // exp = now: expired at once (RFC 7519 §4.1.4, no clock tolerance).
    expect(await unseal(key, "session", await seal(key, "session", { sub: "u" }, 0))).toBeNull();
    expect(await unseal(key, "session", await seal(key, "session", { sub: "u" }, 5))).not.toBeNull();
  });

  it("opens nothing altered: a changed byte in any part, or bytes moved between parts", async () => {
    const key = await newKey();
    const sealed = await seal(key, "session", { sub: "user-1", n: "x".repeat(40) }, 60);
    const parts = sealed.split(".");
    for (const i of [0, 2, 3, 4]) {
      const bytes = b64u.decode(parts[i]!);
      bytes[bytes.length - 1]! ^= 1;
      const altered = parts.with(i, b64u.encode(bytes)).join(".");
      expect(await unseal(key, "session", altered), `part ${i}`).toBeNull();
    }
    // The same ciphertext‖tag split elsewhere: the tag must be exactly 128 bits (RFC 7518 §5.3).
    const body = [...b64u.decode(parts[3]!), ...b64u.decode(parts[4]!)];
    const resplit = parts
      .with(3, b64u.encode(new Uint8Array(body.slice(0, -17))))
      .with(4, b64u.encode(new Uint8Array(body.slice(-17))))
      .join(".");
    expect(await unseal(key, "session", resplit)).toBeNull();
    // An encrypted key where `dir` has none (RFC 7518 §4.5).
    expect(await unseal(key, "session", parts.with(1, "AAAA").join("."))).toBeNull();
    for (const junk of ["", "a.b.c.d.e", `${sealed}.`, sealed.replaceAll(".", "..")]) {
      expect(await unseal(key, "session", junk)).toBeNull();
    }
  });

  it("is standard compact JWE: jose opens what it seals, and it opens what jose sealed", async () => {
    // Values sealed before Gatehouse framed the JWE itself (refresh tokens live for weeks) still
    // open, and the format stays RFC 7516's.
    const keys = await newKey("seal-1");
    const sealed = await seal(keys, "refresh_token", { t: "token" }, 60);
    const opened = await jwtDecrypt(sealed, keys.current.key, {
      typ: "refresh_token",
      keyManagementAlgorithms: ["dir"],
      contentEncryptionAlgorithms: ["A256GCM"],
    });
    expect(opened.payload).toMatchObject({ t: "token" });
    expect(opened.payload.exp! - opened.payload.iat!).toBe(60);
    expect(opened.protectedHeader).toEqual({
      alg: "dir",
      enc: "A256GCM",
      typ: "refresh_token",
      kid: "seal-1",
    });

    const now = Math.floor(Date.now() / 1000);
    const byJose = await new EncryptJWT({ t: "older" })
      .setProtectedHeader({ alg: "dir", enc: "A256GCM", typ: "refresh_token", kid: "seal-1" })
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .encrypt(keys.current.key);
    expect(await unseal(keys, "refresh_token", byJose)).toMatchObject({ t: "older" });
    // Sealed by the one unnamed secret kept before keys rotated: no kid in the header.
    const unnamed: SealKeys = {
      current: keys.current,
      byKid: new Map([["seal-unnamed", keys.current.key]]),
    };
    const noKid = await new EncryptJWT({ t: "oldest" })
      .setProtectedHeader({ alg: "dir", enc: "A256GCM", typ: "session" })
      .setExpirationTime(now + 60)
      .encrypt(keys.current.key);
    expect(await unseal(unnamed, "session", noKid)).toMatchObject({ t: "oldest" });
  });

  it("opens no JWE with a header it would not write: other algorithms, zip, crit, extra members", async () => {
    const keys = await newKey("k");
    const now = Math.floor(Date.now() / 1000);
    const jwe = (header: Record<string, unknown>, key: CryptoKey | Uint8Array = keys.current.key) =>
      new EncryptJWT({ sub: "u" })
        .setProtectedHeader({ alg: "dir", enc: "A256GCM", typ: "session", kid: "k", ...header })
        .setExpirationTime(now + 60)
        .encrypt(key);
    const aes128 = crypto.getRandomValues(new Uint8Array(16));
    const refused = [
      await jwe({ enc: "A128GCM" }, aes128),
      await jwe({ cty: "JWT" }),
      await jwe({ x: 1 }),
      await jwe({ typ: "session2" }),
      await jwe({ kid: 7 }),
    ];
    for (const value of refused) expect(await unseal(keys, "session", value)).toBeNull();
  });
});

