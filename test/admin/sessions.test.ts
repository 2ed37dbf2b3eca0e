/**
 * The admin API's session and password calls (src/admin/users.ts): what they refuse, and the
 * security events they leave. Their effect on browsers is in test/journeys/server-sessions.test.ts.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { randomToken } from "../../src/crypto/random";
import { authorizeWithLogin } from "../helpers/browser";
import { createClient, createUser } from "../helpers/fixtures";
import { admin, request } from "../helpers/http";
import { loggedSecurityEvents } from "../helpers/security-log";

afterEach(() => {
  vi.restoreAllMocks();
});

async function expectError(res: Response, status: number, error: string) {
  expect(res.status).toBe(status);
  expect(await res.json()).toMatchObject({ error });
}

describe("admin API: sessions", () => {
  it("answers 404 for an unknown user and an unknown session", async () => {
    const ghost = randomToken(16);
    await expectError(await admin("GET", `/users/${ghost}/sessions`), 404, "not_found");
    await expectError(await admin("DELETE", `/users/${ghost}/sessions`), 404, "not_found");
    const user = await createUser();
    await expectError(
      await admin("DELETE", `/users/${user.sub}/sessions/${randomToken(16)}`),
      404,
      "not_found",
    );
    expect(await (await admin("GET", `/users/${user.sub}/sessions`)).json()).toEqual({
      sessions: [],
    });
  });

  it("cannot end another user's session through this user's path", async () => {
    const client = await createClient();
    const [alice, bob] = [await createUser(), await createUser()];
    await authorizeWithLogin(client, bob);
    const listed = (await (await admin("GET", `/users/${bob.sub}/sessions`)).json()) as {
      sessions: { sid: string }[];
    };
    const sid = listed.sessions[0]!.sid;
    await expectError(await admin("DELETE", `/users/${alice.sub}/sessions/${sid}`), 404, "not_found");
    expect((await (await admin("GET", `/users/${bob.sub}/sessions`)).json()) as object).toEqual(listed);
  });

  it("requires the admin token", async () => {
    const user = await createUser();
    expect((await request(`/admin/users/${user.sub}/sessions`)).status).toBe(401);
    const res = await request(`/admin/users/${user.sub}/sessions`, { method: "DELETE" });
    expect(res.status).toBe(401);
  });

  it("logs who ended which sessions, never a cookie", async () => {
    const client = await createClient();
    const user = await createUser();
    await authorizeWithLogin(client, user);
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const sid = ((await (await admin("GET", `/users/${user.sub}/sessions`)).json()) as {
      sessions: { sid: string }[];
    }).sessions[0]!.sid;
    expect((await admin("DELETE", `/users/${user.sub}/sessions/${sid}`)).status).toBe(204);
    expect((await admin("DELETE", `/users/${user.sub}/sessions`)).status).toBe(204);
    const events = loggedSecurityEvents(log);
    expect(events.filter((e) => e.type === "session.ended")).toEqual([
      expect.objectContaining({ sub: user.sub, sid, reason: "admin", count: 1 }),
      expect.objectContaining({ sub: user.sub, reason: "admin", count: 0 }),
    ]);
    expect(events.filter((e) => e.type === "admin.action")).toEqual([
      expect.objectContaining({ action: "user.sessions.end", target: user.sub }),
      expect.objectContaining({ action: "user.sessions.end", target: user.sub }),
    ]);
  });
});

describe("PUT /admin/users/:id/password", () => {
  it("refuses a password that a new user could not have, unknown fields and a bad end_grants", async () => {
    const user = await createUser();
    const path = `/users/${user.sub}/password`;
    for (const body of [
      {},
      { password: "short" },
      { password: 12345678 },
      { password: "long enough", end_grants: "yes" },
      { password: "long enough", extra: true },
      ["long enough"],
    ]) {
      await expectError(await admin("PUT", path, body), 400, "invalid_request");
    }
    const res = await request(`/admin${path}`, {
      method: "PUT",
      headers: { Authorization: "Bearer test-admin-token", "Content-Type": "text/plain" },
      body: "long enough",
    });
    await expectError(res, 400, "invalid_request");
    // Nothing changed: the old password still signs in.
    await authorizeWithLogin(await createClient(), user);
  });

  it("answers 404 for an unknown user", async () => {
    await expectError(
      await admin("PUT", `/users/${randomToken(16)}/password`, { password: "long enough" }),
      404,
      "not_found",
    );
  });

  it("logs the change and what it ended, never the password", async () => {
    const client = await createClient();
    const user = await createUser();
    await authorizeWithLogin(client, user);
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const password = "a secret passphrase";
    const res = await admin("PUT", `/users/${user.sub}/password`, { password, end_grants: true });
    expect(res.status).toBe(204);
    const events = loggedSecurityEvents(log);
    expect(events).toEqual([
      expect.objectContaining({ type: "admin.action", action: "user.password.set", target: user.sub }),
      expect.objectContaining({ type: "session.ended", sub: user.sub, reason: "password_changed", count: 1 }),
      expect.objectContaining({ type: "grant.revoked", sub: user.sub, reason: "password_changed" }),
    ]);
    expect(JSON.stringify(log.mock.calls)).not.toContain(password);
  });
});
