/**
 * Sessions that exist on the server (issue 13 point 1): each sign-in records a session in the
 * user's Durable Object; the sealed cookie carries its sid and when it was last confirmed. Within
 * SESSION_CHECK_INTERVAL (300 s by default) the cookie alone answers; after it, one Durable
 * Object call confirms the session or signs the browser out. An admin can list and end sessions,
 * and a password change ends them (and the grants, when asked).
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { listSessions } from "../../src/storage/sessions";
import {
  authorizationRequest,
  authorizeWithLogin,
  redirectParams,
  silentSubject,
  TestBrowser,
} from "../helpers/browser";
import { countedBindings } from "../helpers/counted-bindings";
import { deployment } from "../helpers/deployment";
import { createClient, createUser, type TestClient, type TestUser } from "../helpers/fixtures";
import { grantState, isActive, startGrant } from "../helpers/grants";
import { admin } from "../helpers/http";

afterEach(() => {
  vi.useRealTimers();
});

interface SessionView {
  sid: string;
  created_at: number;
  auth_time: number;
  amr?: string[];
  last_seen_at: number;
  expires_at: number;
  user_agent?: string;
}

async function sessionsOf(sub: string): Promise<SessionView[]> {
  const res = await admin("GET", `/users/${sub}/sessions`);
  expect(res.status).toBe(200);
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  return ((await res.json()) as { sessions: SessionView[] }).sessions;
}

/** The default SESSION_CHECK_INTERVAL has passed (only Date moves: timers stay real). */
function afterCheckInterval(seconds = 301) {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.now() + seconds * 1000);
}

/** What a silent request (prompt=none) gets in `browser`: "code" or the error. */
async function silentAnswer(browser: TestBrowser, client: TestClient): Promise<string> {
  const { url } = await authorizationRequest(client, { extra: { prompt: "none" } });
  const res = await browser.fetch(url);
  expect(res.status).toBe(302);
  const params = redirectParams(res, client.redirect_uri);
  return params.get("code") ? "code" : (params.get("error") ?? "nothing");
}

const hasSessionCookie = (browser: TestBrowser) =>
  [...browser.cookies.keys()].some((name) => name.endsWith("gatehouse-session"));

async function signedIn(client?: TestClient, user?: TestUser) {
  const app = client ?? (await createClient());
  const person = user ?? (await createUser());
  const { browser } = await authorizeWithLogin(app, person);
  return { client: app, user: person, browser };
}

describe("journey: a session on the server", () => {
  it("appears after sign-in and is listed with its times and how the user signed in", async () => {
    const before = Math.floor(Date.now() / 1000);
    const { user } = await signedIn();
    const sessions = await sessionsOf(user.sub);
    expect(sessions).toHaveLength(1);
    const [session] = sessions as [SessionView];
    // 128 random bits, base64url.
    expect(session.sid).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(session.amr).toEqual(["pwd"]);
    expect(session.auth_time).toBeGreaterThanOrEqual(before);
    expect(session.created_at).toBe(session.auth_time);
    // SESSION_TTL defaults to 12 hours.
    expect(session.expires_at).toBe(session.created_at + 12 * 3600);
  });

  it("ended by an admin, it signs the browser out at the next check: prompt=none answers login_required", async () => {
    const { client, user, browser } = await signedIn();
    const [session] = (await sessionsOf(user.sub)) as [SessionView];
    const res = await admin("DELETE", `/users/${user.sub}/sessions/${session.sid}`);
    expect(res.status).toBe(204);
    expect(await sessionsOf(user.sub)).toEqual([]);

    // Within SESSION_CHECK_INTERVAL the sealed cookie alone still answers: the documented bound.
    expect(await silentAnswer(browser, client)).toBe("code");

    afterCheckInterval();
    expect(await silentAnswer(browser, client)).toBe("login_required");
    expect(hasSessionCookie(browser)).toBe(false);
  });

  it("a browser whose session lives is confirmed once per interval, then answers from the cookie again", async () => {
    const calls: string[] = [];
    const browser = new TestBrowser(deployment(countedBindings(calls)));
    const client = await createClient();
    const user = await createUser();
    await authorizeWithLogin(client, user, {}, browser);

    afterCheckInterval();
    calls.length = 0;
    expect(await silentAnswer(browser, client)).toBe("code");
    // The measured cost of a stale cookie: one Durable Object call beside the hot path's reads.
    expect(calls.sort()).toEqual([
      "CLIENTS.get",
      "USERS.get",
      "USERS.get",
      "USER_OBJECTS.getByName",
    ]);

    // The cookie was re-sealed with the new check time: the next request needs no call.
    calls.length = 0;
    expect(await silentAnswer(browser, client)).toBe("code");
    expect(calls.filter((call) => call.startsWith("USER_OBJECTS"))).toEqual([]);
    const [session] = (await sessionsOf(user.sub)) as [SessionView];
    expect(session.last_seen_at).toBeGreaterThanOrEqual(session.created_at + 300);
  });

  it("two browsers are two sessions: ending one leaves the other signed in", async () => {
    const client = await createClient();
    const user = await createUser();
    const { browser: laptop } = await authorizeWithLogin(client, user);
    const first = (await sessionsOf(user.sub)).map((s) => s.sid);
    const { browser: phone } = await authorizeWithLogin(client, user);
    const sessions = await sessionsOf(user.sub);
    expect(sessions).toHaveLength(2);
    const phoneSid = sessions.map((s) => s.sid).find((sid) => !first.includes(sid)) as string;

    expect((await admin("DELETE", `/users/${user.sub}/sessions/${phoneSid}`)).status).toBe(204);
    afterCheckInterval();
    expect(await silentAnswer(phone, client)).toBe("login_required");
    expect(await silentSubject(laptop, client)).toBe(user.sub);
  });

  it("DELETE /admin/users/:id/sessions ends every session of the user, and no one else's", async () => {
    const client = await createClient();
    const user = await createUser();
    const other = await createUser();
    const { browser: one } = await authorizeWithLogin(client, user);
    const { browser: two } = await authorizeWithLogin(client, user);
    const { browser: theirs } = await authorizeWithLogin(client, other);
    expect((await admin("DELETE", `/users/${user.sub}/sessions`)).status).toBe(204);
    expect(await sessionsOf(user.sub)).toEqual([]);
    expect(await sessionsOf(other.sub)).toHaveLength(1);

    afterCheckInterval();
    expect(await silentAnswer(one, client)).toBe("login_required");
    expect(await silentAnswer(two, client)).toBe("login_required");
    expect(await silentSubject(theirs, client)).toBe(other.sub);
  });

  it("signing in again in the same browser replaces its session: the old one is not left listed", async () => {
    const client = await createClient();
    const user = await createUser();
    const { browser } = await authorizeWithLogin(client, user);
    const [before] = (await sessionsOf(user.sub)) as [SessionView];
    await authorizeWithLogin(client, user, { extra: { prompt: "login" } }, browser);
    const after = await sessionsOf(user.sub);
    expect(after).toHaveLength(1);
    expect(after[0]!.sid).not.toBe(before.sid);
  });

  it("deleting the user ends the user's sessions with their grants", async () => {
    const { user } = await signedIn();
    expect(await listSessions(env, user.sub)).toHaveLength(1);
    expect((await admin("DELETE", `/users/${user.sub}`)).status).toBe(204);
    expect(await listSessions(env, user.sub)).toEqual([]);
  });
});

describe("journey: an admin sets a user's password", () => {
  it("ends every session; the new password signs in, the old one does not; the grants stay", async () => {
    const { client, user, browser } = await signedIn();
    const grant = await startGrant({ user, client });
    const res = await admin("PUT", `/users/${user.sub}/password`, { password: "a new passphrase" });
    expect(res.status).toBe(204);
    expect(await sessionsOf(user.sub)).toEqual([]);

    expect(await grantState(grant.accessToken)).toBe("active");
    expect(await isActive(grant.accessToken)).toBe(true);

    // The old password is refused (the form again, 400), the new one accepted.
    const { url } = await authorizationRequest(client);
    const fresh = new TestBrowser();
    const page = await fresh.fetch(url);
    const refused = await fresh.submit(await page.text(), {
      username: user.username,
      password: user.password,
    });
    expect(refused.status).toBe(400);
    await authorizeWithLogin(client, { ...user, password: "a new passphrase" });

    afterCheckInterval();
    expect(await silentAnswer(browser, client)).toBe("login_required");
  });

  it("with end_grants, every grant of the user ends too", async () => {
    const { user } = await signedIn();
    const grant = await startGrant({ user });
    const res = await admin("PUT", `/users/${user.sub}/password`, {
      password: "another passphrase",
      end_grants: true,
    });
    expect(res.status).toBe(204);
    expect(await grantState(grant.accessToken)).toBe("revoked");
    expect(await isActive(grant.accessToken)).toBe(false);
    const grants = await admin("GET", `/users/${user.sub}/grants`);
    expect(await grants.json()).toEqual({ grants: [] });
    expect(await sessionsOf(user.sub)).toEqual([]);
  });
});
