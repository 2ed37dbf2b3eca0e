/**
 * The session (src/http/session.ts): a sealed cookie naming a record in the user's Durable
 * Object. These tests build cookies in the old format (no sid) here, beside the session's own
 * module, because no public flow issues one any more; everything else goes through HTTP.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { seal } from "../../src/crypto/seal";
import { endSession, readSession } from "../../src/http/session";
import { getSealKey } from "../../src/storage/keys";
import { listSessions } from "../../src/storage/sessions";
import {
  authorizationRequest,
  authorizeWithLogin,
  redirectParams,
  TestBrowser,
} from "../helpers/browser";
import { bareApp } from "../helpers/bare-app";
import { countedBindings } from "../helpers/counted-bindings";
import { deployment } from "../helpers/deployment";
import { createClient, createUser, type TestClient } from "../helpers/fixtures";
import { admin } from "../helpers/http";

afterEach(() => {
  vi.useRealTimers();
});

const COOKIE = "gatehouse-session";

async function silentAnswer(browser: TestBrowser, client: TestClient): Promise<string> {
  const { url } = await authorizationRequest(client, { extra: { prompt: "none" } });
  const res = await browser.fetch(url);
  expect(res.status).toBe(302);
  const params = redirectParams(res, client.redirect_uri);
  return params.get("code") ? "code" : (params.get("error") ?? "nothing");
}

describe("session cookies from before sessions had ids", () => {
  it("a cookie without a sid is not a session: prompt=none answers login_required", async () => {
    const client = await createClient();
    const user = await createUser();
    await authorizeWithLogin(client, user); // the user exists and has allowed the client
    const now = Math.floor(Date.now() / 1000);
    const old = await seal(
      await getSealKey(env),
      "session",
      { sub: user.sub, auth_time: now, amr: ["pwd"] },
      3600,
    );
    const browser = new TestBrowser();
    browser.cookies.set(COOKIE, old);
    expect(await silentAnswer(browser, client)).toBe("login_required");
    // The same browser with a current cookie (the control): the client gets a code.
    const { browser: current } = await authorizeWithLogin(client, user);
    expect(await silentAnswer(current, client)).toBe("code");
  });
});

describe("endSession", () => {
  function ending() {
    const { app, send } = bareApp();
    app.post("/end", async (c) => c.json({ ended: await endSession(c), after: await readSession(c) }));
    return send;
  }

  it("clears the cookie, deletes the record and returns the session it ended", async () => {
    const client = await createClient();
    const user = await createUser();
    const { browser } = await authorizeWithLogin(client, user);
    const [record] = await listSessions(env, user.sub);
    const res = await ending()("/end", {
      method: "POST",
      headers: { Cookie: `${COOKIE}=${browser.cookies.get(COOKIE)}` },
    });
    const body = await res.json<{ ended: Record<string, unknown>; after: unknown }>();
    expect(body.ended).toMatchObject({ sub: user.sub, sid: record!.sid, amr: ["pwd"] });
    expect(body.after).toBeNull();
    const cleared = res.headers.getSetCookie().find((c) => c.startsWith(`${COOKIE}=`));
    expect(cleared).toMatch(/Max-Age=0/i);
    expect(await listSessions(env, user.sub)).toEqual([]);
    // Any copy of the cookie is refused at its next check.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 301_000);
    expect(await silentAnswer(browser, client)).toBe("login_required");
  });

  it("returns null for a browser without a session, and still clears the cookie", async () => {
    const res = await ending()("/end", { method: "POST", headers: { Cookie: `${COOKIE}=garbage` } });
    expect(await res.json()).toEqual({ ended: null, after: null });
    expect(res.headers.getSetCookie().some((c) => /Max-Age=0/i.test(c))).toBe(true);
  });
});

describe("SESSION_CHECK_INTERVAL=0", () => {
  it("checks the session on every use, so an ended session is refused at once", async () => {
    const calls: string[] = [];
    const send = deployment({ ...countedBindings(calls), SESSION_CHECK_INTERVAL: "0" });
    const browser = new TestBrowser(send);
    const client = await createClient();
    const user = await createUser();
    await authorizeWithLogin(client, user, {}, browser);
    calls.length = 0;
    expect(await silentAnswer(browser, client)).toBe("code");
    expect(calls.filter((c) => c.startsWith("USER_OBJECTS"))).toEqual(["USER_OBJECTS.getByName"]);
    expect((await admin("DELETE", `/users/${user.sub}/sessions`)).status).toBe(204);
    expect(await silentAnswer(browser, client)).toBe("login_required");
  });
});

describe("a request asks about its session once", () => {
  it("however many times the code reads it", async () => {
    const calls: string[] = [];
    const { app } = bareApp();
    app.get("/twice", async (c) => c.json([await readSession(c), await readSession(c)]));
    const user = await createUser();
    const { browser } = await authorizeWithLogin(await createClient(), user);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 301_000);
    const res = await app.fetch(
      new Request("http://localhost/twice", {
        headers: { Cookie: `${COOKIE}=${browser.cookies.get(COOKIE)}` },
      }),
      { ...env, ...countedBindings(calls) },
    );
    const [first, second] = await res.json<[{ sub: string }, { sub: string }]>();
    expect(first.sub).toBe(user.sub);
    expect(second).toEqual(first);
    expect(calls.filter((c) => c.startsWith("USER_OBJECTS"))).toEqual(["USER_OBJECTS.getByName"]);
    // The re-sealed cookie goes back to the browser once.
    expect(res.headers.getSetCookie().filter((c) => c.startsWith(`${COOKIE}=`))).toHaveLength(1);
  });
});
