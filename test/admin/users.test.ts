import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { authenticatePassword } from "../../src/auth/password/verify";
import { ADMIN_TOKEN, admin, request } from "../helpers/http";
import { createUser } from "../helpers/fixtures";

const password = "a long enough password";
const username = () => `admin-user-${crypto.randomUUID()}`;

interface PublicUserBody {
  sub: string;
  username: string;
  email?: string;
  name?: string;
  created_at: number;
}

describe("POST /admin/users", () => {
  it("answers 201 with the public view, never the password or its hash", async () => {
    const name = username();
    const res = await admin("POST", "/users", { username: name, password, email: "u@example.com", name: "U. Ser" });
    expect(res.status).toBe(201);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const text = await res.text();
    expect(text).not.toContain(password);
    expect(text).not.toContain("PBKDF2");
    const body = JSON.parse(text) as PublicUserBody;
    expect(body).toEqual({
      sub: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      username: name,
      email: "u@example.com",
      name: "U. Ser",
      created_at: expect.any(Number),
    });
  });

  it("creates a user who can then log in with the password", async () => {
    const user = await createUser();
    expect((await authenticatePassword(env, user.username, user.password))?.sub).toBe(user.sub);
  });

  it("answers 409 conflict for a username taken in another case", async () => {
    const name = username();
    expect((await admin("POST", "/users", { username: name, password })).status).toBe(201);
    const res = await admin("POST", "/users", { username: name.toUpperCase(), password });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: "conflict" });
  });

  it.each<[string, unknown]>([
    ["a missing username", { password }],
    ["a missing password", { username: "someone" }],
    ["a password of 7 characters", { username: "someone", password: "1234567" }],
    ["a username with a space", { username: "some one", password }],
    ["a username of 65 characters", { username: "a".repeat(65), password }],
    ["an invalid email", { username: "someone", password, email: "nope" }],
    ["an unknown field", { username: "someone", password, admin: true }],
    ["an array", [{ username: "someone", password }]],
    ["null", null],
  ])("refuses %s with 400 invalid_request", async (_, body) => {
    const res = await admin("POST", "/users", body);
    expect(res.status).toBe(400);
    const error = (await res.json()) as { error: string; error_description: string };
    expect(error.error).toBe("invalid_request");
    expect(error.error_description).toBeTruthy();
  });

  it("refuses a body that is not JSON with invalid_request", async () => {
    for (const init of [
      { headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: `username=x&password=${password}` },
      { headers: { "Content-Type": "application/json" }, body: "{username:" },
    ]) {
      const res = await request("/admin/users", {
        method: "POST",
        body: init.body,
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, ...init.headers },
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: "invalid_request" });
    }
  });
});

describe("reading and deleting users", () => {
  it("GET /admin/users/:id answers the public view", async () => {
    const user = await createUser({ email: "g@example.com" });
    const res = await admin("GET", `/users/${user.sub}`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(user.password);
    expect(text).not.toContain('"password"');
    expect(JSON.parse(text)).toEqual({
      sub: user.sub,
      username: user.username,
      email: "g@example.com",
      created_at: expect.any(Number),
    });
  });

  it("GET /admin/users lists users without passwords or hashes", async () => {
    const user = await createUser();
    const seen: PublicUserBody[] = [];
    let cursor: string | undefined;
    do {
      const res = await admin("GET", `/users?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).not.toContain('"password"');
      expect(text).not.toContain("PBKDF2");
      const page = JSON.parse(text) as { users: PublicUserBody[]; cursor?: string };
      seen.push(...page.users);
      cursor = page.cursor;
    } while (cursor);
    expect(seen.find((u) => u.sub === user.sub)?.username).toBe(user.username);
  });

  it("DELETE answers 204; the user is then 404 and can no longer log in", async () => {
    const user = await createUser();
    const del = await admin("DELETE", `/users/${user.sub}`);
    expect(del.status).toBe(204);
    const get = await admin("GET", `/users/${user.sub}`);
    expect(get.status).toBe(404);
    expect(await get.json()).toMatchObject({ error: "not_found" });
    expect(await authenticatePassword(env, user.username, user.password)).toBeNull();
    expect((await admin("DELETE", `/users/${user.sub}`)).status).toBe(404);
  });

  it("answers 404 not_found for an unknown user id", async () => {
    for (const id of ["nobody", "x".repeat(600)]) {
      const res = await admin("GET", `/users/${id}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: "not_found" });
    }
  });
});
