/**
 * Admin actions leave an audit trail (issue 10 point 11): each create and delete through the
 * admin API logs one `admin.action` security event, a single JSON line naming the action and
 * its target by identifier, and never the secret the call carried or produced. The test reads
 * the Worker's own log: tests and the Worker share one isolate, so console.log can be watched.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createClient, createUser } from "../helpers/fixtures";
import { admin } from "../helpers/http";

let logged: string[] = [];

beforeEach(() => {
  logged = [];
  vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    logged.push(args.map(String).join(" "));
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

interface AdminEvent {
  event: string;
  type: string;
  time: string;
  action: string;
  target?: string;
}

/** The admin.action events logged so far; every security line must be one JSON object. */
function adminEvents(): AdminEvent[] {
  const security = logged.filter((line) => line.includes('"event":"security"'));
  const parsed = security.map((line) => JSON.parse(line) as AdminEvent);
  for (const event of parsed) {
    expect(Number.isNaN(Date.parse(event.time))).toBe(false);
  }
  return parsed.filter((e) => e.type === "admin.action");
}

describe("admin actions are security events", () => {
  it("creating and deleting a client logs client.create and client.delete, never its secret", async () => {
    const client = await createClient();
    expect((await admin("DELETE", `/clients/${client.client_id}`)).status).toBe(204);
    expect(adminEvents().map(({ action, target }) => ({ action, target }))).toEqual([
      { action: "client.create", target: client.client_id },
      { action: "client.delete", target: client.client_id },
    ]);
    const secret = client.client_secret ?? "";
    expect(secret).toBeTruthy();
    for (const line of logged) expect(line).not.toContain(secret);
  });

  it("creating and deleting a user logs user.create and user.delete, never the password", async () => {
    const user = await createUser();
    expect((await admin("DELETE", `/users/${user.sub}`)).status).toBe(204);
    expect(adminEvents().map(({ action, target }) => ({ action, target }))).toEqual([
      { action: "user.create", target: user.sub },
      { action: "user.delete", target: user.sub },
    ]);
    for (const line of logged) expect(line).not.toContain(user.password);
  });

  it("a refused admin call changes nothing and logs no admin action", async () => {
    expect((await admin("DELETE", "/clients/no-such-client")).status).toBe(404);
    expect((await admin("POST", "/users", { username: "x", password: "short" })).status).toBe(400);
    expect(adminEvents()).toEqual([]);
  });
});
