import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { verifyPassword } from "../../src/crypto/password-hash";
import { OAuthError } from "../../src/protocol/errors";
import { getConsent, rememberConsent } from "../../src/storage/consents";
import {
  createUser,
  deleteUser,
  findUserByUsername,
  getUser,
  listUsers,
  normaliseUsername,
  publicUser,
  UsernameTakenError,
} from "../../src/storage/users";

const username = (prefix = "u") => `${prefix}-${crypto.randomUUID()}`;
const password = "a good long password";

async function rejection(promise: Promise<unknown>): Promise<OAuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OAuthError);
  return error as OAuthError;
}

describe("user store", () => {
  it("creates a user with a random sub and stores only a password hash", async () => {
    const secret = `secret-${crypto.randomUUID()}`;
    const a = await createUser(env, { username: username(), password: secret, email: "a@example.com", name: "A" });
    const b = await createUser(env, { username: username(), password: secret });
    expect(a.sub).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(a.sub).not.toBe(b.sub);
    expect(a).toMatchObject({ email: "a@example.com", name: "A" });
    expect(await verifyPassword(secret, a.password)).toBe(true);
    const raw = await env.USERS.get(`user:${a.sub}`);
    expect(raw).not.toBeNull();
    expect(raw).not.toContain(secret);
  });

  it("reads a user back by sub", async () => {
    const created = await createUser(env, { username: username(), password });
    expect(await getUser(env, created.sub)).toEqual(created);
    expect(await getUser(env, "no-such-sub")).toBeNull();
    expect(await getUser(env, "not/a sub")).toBeNull();
    expect(await getUser(env, "x".repeat(600))).toBeNull();
  });

  it("finds users by username case-insensitively and after NFKC normalisation", async () => {
    const id = crypto.randomUUID().slice(0, 8);
    const created = await createUser(env, { username: `Alice.${id}`, password });
    expect((await findUserByUsername(env, `alice.${id}`))?.sub).toBe(created.sub);
    expect((await findUserByUsername(env, `ALICE.${id}`))?.sub).toBe(created.sub);
    // Fullwidth letters (U+FF21…) are NFKC-equivalent to ASCII.
    const fullwidth = "ＡＬＩＣＥ";
    expect((await findUserByUsername(env, `${fullwidth}.${id}`))?.sub).toBe(created.sub);
    expect(await findUserByUsername(env, `bob.${id}`)).toBeNull();
  });

  it("keeps the username as entered (NFKC) for display", async () => {
    const name = `Ｍixed.${crypto.randomUUID().slice(0, 8)}`;
    const created = await createUser(env, { username: name, password });
    expect(created.username).toBe(name.normalize("NFKC"));
    expect(created.username.startsWith("Mixed.")).toBe(true);
  });

  it("refuses a second user with the same username, whatever its case (the admin API's 409)", async () => {
    const name = username("dup");
    await createUser(env, { username: name, password });
    await expect(createUser(env, { username: name.toUpperCase(), password })).rejects.toThrow(
      UsernameTakenError,
    );
  });

  it.each([
    ["an empty username", { username: "", password }],
    ["a username of 65 characters", { username: "a".repeat(65), password }],
    ["a username with a space", { username: "john smith", password }],
    ["a username with markup", { username: "<b>x</b>", password }],
    ["a username that is not a string", { username: 42, password }],
    ["a password of 7 characters", { username: "someone", password: "1234567" }],
    ["a password of 1025 characters", { username: "someone", password: "x".repeat(1025) }],
    ["a missing password", { username: "someone" }],
    ["an invalid email", { username: "someone", password, email: "not an email" }],
    ["an empty name", { username: "someone", password, name: "  " }],
    ["an unknown field", { username: "someone", password, role: "admin" }],
    ["a non-object", "someone"],
    ["an array", [{ username: "someone", password }]],
  ])("refuses %s (invalid_request)", async (_, input) => {
    const error = await rejection(createUser(env, input));
    expect(error.error).toBe("invalid_request");
    expect(error.status).toBe(400);
  });

  it("accepts usernames of letters, digits and . _ - @ + up to 64 characters", async () => {
    const id = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
    for (const name of [`j.doe+tag_${id}@example-mail.com`, `Zoë${id}`, `${id}${"a".repeat(64 - id.length)}`]) {
      expect((await createUser(env, { username: name, password })).username).toBe(name);
    }
  });

  it("never exposes the password hash in the public view", async () => {
    const created = await createUser(env, { username: username(), password, email: "p@example.com" });
    const view = publicUser(created);
    expect(view).toEqual({
      sub: created.sub,
      username: created.username,
      email: "p@example.com",
      created_at: created.created_at,
    });
    expect(JSON.stringify(view)).not.toContain(created.password.hash);
  });

  it("deletes the user, the username index and the user's consents", async () => {
    const name = username("del");
    const created = await createUser(env, { username: name, password });
    await rememberConsent(env, created.sub, "some-client", ["openid"]);
    expect(await getConsent(env, created.sub, "some-client")).not.toBeNull();

    expect(await deleteUser(env, created.sub)).toBe(true);
    expect(await getUser(env, created.sub)).toBeNull();
    expect(await findUserByUsername(env, name)).toBeNull();
    expect(await env.USERS.get(`username:${normaliseUsername(name)}`)).toBeNull();
    expect(await getConsent(env, created.sub, "some-client")).toBeNull();
    expect(await deleteUser(env, created.sub)).toBe(false);
  });

  it("frees a deleted user's username for a new user with a new sub", async () => {
    const name = username("reuse");
    const first = await createUser(env, { username: name, password });
    await deleteUser(env, first.sub);
    const second = await createUser(env, { username: name, password });
    expect(second.sub).not.toBe(first.sub);
    expect((await findUserByUsername(env, name))?.sub).toBe(second.sub);
  });

  it("lists users page by page with a cursor", async () => {
    const created = await Promise.all([1, 2, 3].map(() => createUser(env, { username: username("list"), password })));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listUsers(env, { limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.users.length).toBeLessThanOrEqual(2);
      seen.push(...page.users.map((u) => u.sub));
      cursor = page.cursor;
    } while (cursor);
    for (const user of created) expect(seen).toContain(user.sub);
    expect(new Set(seen).size).toBe(seen.length);
  });
});
