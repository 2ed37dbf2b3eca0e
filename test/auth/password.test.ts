import { env } from "cloudflare:workers";
import * as v from "valibot";
import { afterEach, describe, expect, it, vi } from "vitest";
import { authenticatePassword } from "../../src/auth/password/verify";
import {
  NewPasswordSchema,
  PASSWORD_ITERATIONS,
  hashPassword,
  needsRehash,
  verifyPassword,
  type PasswordHash,
} from "../../src/crypto/password-hash";
import { b64u, utf8 } from "../../src/crypto/encoding";
import { createUser, getUser, replacePasswordHash } from "../../src/storage/users";

/** An independent PBKDF2-SHA256 (the oracle), for hashes made with other parameters. */
async function pbkdf2Hash(password: string, iterations: number): Promise<PasswordHash> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const key = await crypto.subtle.importKey("raw", utf8(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    key,
    256,
  );
  return {
    alg: "PBKDF2-SHA256",
    iterations,
    salt: b64u.encode(salt),
    hash: b64u.encode(new Uint8Array(bits)),
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("password hashing", () => {
  it("stores PBKDF2-SHA256 with its iterations, a 16-byte salt and a 32-byte key", async () => {
    const stored = await hashPassword("correct horse battery staple");
    expect(stored.alg).toBe("PBKDF2-SHA256");
    expect(stored.iterations).toBe(PASSWORD_ITERATIONS);
    expect(PASSWORD_ITERATIONS).toBe(100_000);
    expect(b64u.decode(stored.salt)).toHaveLength(16);
    expect(b64u.decode(stored.hash)).toHaveLength(32);
    expect(JSON.stringify(stored)).not.toContain("correct horse");
  });

  it("matches an independent PBKDF2-SHA256 of the password with the stored salt", async () => {
    const stored = await hashPassword("an exact derivation");
    const key = await crypto.subtle.importKey("raw", utf8("an exact derivation"), "PBKDF2", false, [
      "deriveBits",
    ]);
    const bits = await crypto.subtle.deriveBits(
      { name: "PBKDF2", hash: "SHA-256", salt: new Uint8Array(b64u.decode(stored.salt)), iterations: 100_000 },
      key,
      256,
    );
    expect(stored.hash).toBe(b64u.encode(new Uint8Array(bits)));
  });

  it("verifies the right password and refuses a wrong one", async () => {
    const stored = await hashPassword("the right password");
    expect(await verifyPassword("the right password", stored)).toBe(true);
    expect(await verifyPassword("the wrong password", stored)).toBe(false);
    expect(await verifyPassword("The right password", stored)).toBe(false);
    expect(await verifyPassword("", stored)).toBe(false);
  });

  it("salts every hash: the same password hashes differently twice", async () => {
    const a = await hashPassword("same password");
    const b = await hashPassword("same password");
    expect(a.salt).not.toBe(b.salt);
    expect(a.hash).not.toBe(b.hash);
  });

  it("verifies with the parameters stored beside the hash, not the current ones", async () => {
    const old = await pbkdf2Hash("an older password", 1000);
    expect(await verifyPassword("an older password", old)).toBe(true);
    expect(await verifyPassword("an older password", { ...old, iterations: 1001 })).toBe(false);
  });

  it("refuses a hash of an unknown algorithm", async () => {
    const stored = await hashPassword("some password");
    const other = { ...stored, alg: "MD5" } as unknown as PasswordHash;
    expect(await verifyPassword("some password", other)).toBe(false);
  });

  it("normalises Unicode (NFKC) so that equivalent spellings verify", async () => {
    // "ﬁ" (U+FB01) is NFKC-equivalent to "fi"; "é" composed and decomposed are NFKC-equal.
    const stored = await hashPassword("confidential café");
    expect(await verifyPassword("con\uFB01dential cafe\u0301", stored)).toBe(true);
  });

  it("flags hashes with weaker parameters for rehashing", async () => {
    const fresh = await hashPassword("fresh password");
    expect(needsRehash(fresh)).toBe(false);
    expect(needsRehash({ ...fresh, iterations: PASSWORD_ITERATIONS - 1 })).toBe(true);
    expect(needsRehash({ ...fresh, salt: b64u.encode(new Uint8Array(8)) })).toBe(true);
    expect(needsRehash({ ...fresh, hash: b64u.encode(new Uint8Array(16)) })).toBe(true);
  });
});

describe("new password rules (NIST SP 800-63B)", () => {
  const accepts = (s: string) => v.safeParse(NewPasswordSchema, s).success;

  it("requires at least 8 characters", () => {
    expect(accepts("1234567")).toBe(false);
    expect(accepts("12345678")).toBe(true);
  });

  it("allows at most 1024 characters", () => {
    expect(accepts("x".repeat(1024))).toBe(true);
    expect(accepts("x".repeat(1025))).toBe(false);
  });

  it("counts Unicode code points, not UTF-16 units", () => {
    // Each emoji is one code point but two UTF-16 units.
    expect(accepts("🔑".repeat(7))).toBe(false);
    expect(accepts("🔑".repeat(8))).toBe(true);
    expect(accepts("🔑".repeat(1024))).toBe(true);
  });

  it("has no composition rules: a long lowercase passphrase is fine", () => {
    expect(accepts("correct horse battery staple")).toBe(true);
  });
});

describe("authenticatePassword", () => {
  const newUser = async (password = `pw-${crypto.randomUUID()}`) => {
    const username = `auth-${crypto.randomUUID()}`;
    const user = await createUser(env, { username, password });
    return { user, username, password };
  };

  it("returns the user for the right password", async () => {
    const { user, username, password } = await newUser();
    expect((await authenticatePassword(env, username, password))?.sub).toBe(user.sub);
  });

  it("finds the user whatever the case of the username", async () => {
    const { user, username, password } = await newUser();
    expect((await authenticatePassword(env, username.toUpperCase(), password))?.sub).toBe(user.sub);
  });

  it("returns null for a wrong password", async () => {
    const { username } = await newUser();
    expect(await authenticatePassword(env, username, "not the password")).toBeNull();
  });

  it("returns null for an unknown or malformed username", async () => {
    expect(await authenticatePassword(env, `nobody-${crypto.randomUUID()}`, "whatever1")).toBeNull();
    expect(await authenticatePassword(env, "", "whatever1")).toBeNull();
    expect(await authenticatePassword(env, "x".repeat(1000), "whatever1")).toBeNull();
  });

  it("runs the same PBKDF2 work for an unknown user as for a known one", async () => {
    const { username } = await newUser();
    const derive = vi.spyOn(crypto.subtle, "deriveBits");
    await authenticatePassword(env, username, "wrong password");
    const known = derive.mock.calls.map(([params]) => params);
    derive.mockClear();
    await authenticatePassword(env, `nobody-${crypto.randomUUID()}`, "wrong password");
    const unknown = derive.mock.calls.map(([params]) => params);
    expect(known).toHaveLength(1);
    expect(unknown).toHaveLength(1);
    expect(known[0]).toMatchObject({ name: "PBKDF2", iterations: PASSWORD_ITERATIONS });
    expect(unknown[0]).toMatchObject({ name: "PBKDF2", iterations: PASSWORD_ITERATIONS });
  });

  it("rehashes an outdated hash with the current parameters after a successful login", async () => {
    const { user, username, password } = await newUser();
    await replacePasswordHash(env, user, await pbkdf2Hash(password, 1000));
    expect((await getUser(env, user.sub))?.password.iterations).toBe(1000);

    expect((await authenticatePassword(env, username, password))?.sub).toBe(user.sub);
    const rehashed = (await getUser(env, user.sub))?.password;
    expect(rehashed?.iterations).toBe(PASSWORD_ITERATIONS);
    expect(rehashed && (await verifyPassword(password, rehashed))).toBe(true);
  });

  it("does not rehash after a failed login", async () => {
    const { user, username, password } = await newUser();
    await replacePasswordHash(env, user, await pbkdf2Hash(password, 1000));
    expect(await authenticatePassword(env, username, "not the password")).toBeNull();
    expect((await getUser(env, user.sub))?.password.iterations).toBe(1000);
  });
});
