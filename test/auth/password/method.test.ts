/**
 * The password login method is a plug-in: it serves its own route, applies its own throttle and
 * finishes through completeLogin, with nothing of the authorization flow but the LoginHost it is
 * given (src/auth/method.ts).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { LoginFailure, LoginHost, PendingLogin } from "../../../src/auth/method";
import { PASSWORD_ACTION, passwordMethod } from "../../../src/auth/password/method";
import { Params, readFormBody } from "../../../src/http/params";
import { readSession } from "../../../src/http/session";
import { TestBrowser, authorizationRequest, parseForm } from "../../helpers/browser";
import { createClient, createUser } from "../../helpers/fixtures";
import { uniqueIp } from "../../helpers/addresses";
import { bareApp } from "../../helpers/bare-app";
import { loggedSecurityEvents } from "../../helpers/security-log";

/**
 * The method's routes on a bare app, with a host that records what the method asks of it: no
 * authorization request, no ticket, no OAuth.
 */
function pluggedIn() {
  const calls: { opened: string[]; failures: LoginFailure[] } = { opened: [], failures: [] };
  const host: LoginHost = {
    async open(c, method): Promise<PendingLogin> {
      calls.opened.push(method.id);
      const form = new Params(await readFormBody(c));
      return {
        form,
        async retry(failure) {
          calls.failures.push(failure);
          return c.text(failure.error, failure.status as 400);
        },
        async resume(session, user) {
          // What the next request will read back from the cookie completeLogin wrote.
          return c.json({ session, user: user.sub });
        },
      };
    },
  };
  const { app, send } = bareApp();
  passwordMethod.routes(app, host);
  app.get("/whoami", async (c) => c.json(await readSession(c)));
  return { calls, send };
}

function post(username: string, password: string, ip = uniqueIp()): RequestInit {
  return {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "CF-Connecting-IP": ip },
    body: new URLSearchParams({ username, password }),
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the password login method", () => {
  it("serves the login form's POST itself and finishes through completeLogin with amr pwd", async () => {
    const user = await createUser();
    const { calls, send } = pluggedIn();
    const res = await send(PASSWORD_ACTION, post(user.username, user.password));
    expect(res.status).toBe(200);
    expect(calls.opened).toEqual(["password"]);
    const body = await res.json<{ session: { sub: string; amr: string[]; authTime: number } }>();
    expect(body.session).toMatchObject({ sub: user.sub, amr: ["pwd"] });
    expect(body.session).not.toHaveProperty("acr");

    // The session cookie it started carries the same user and amr.
    const cookie = res.headers
      .getSetCookie()
      .find((c) => c.includes("session="))
      ?.split(";")[0];
    expect(cookie).toBeTruthy();
    const session = await (await send("/whoami", { headers: { Cookie: cookie! } })).json();
    expect(session).toEqual(body.session);
  });

  it("asks the host to show the form again after a wrong password, and starts no session", async () => {
    const user = await createUser();
    const { calls, send } = pluggedIn();
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const res = await send(PASSWORD_ACTION, post(user.username, "not-the-password"));
    expect(res.status).toBe(400);
    expect(calls.failures).toEqual([
      { error: "invalidCredentials", status: 400, username: user.username },
    ]);
    expect(res.headers.getSetCookie().some((c) => c.includes("session="))).toBe(false);
    expect(loggedSecurityEvents(log).map((e) => e.type)).toContain("login.failed");
  });

  it("applies its own throttle: a locked username gets 429 with Retry-After through the host", async () => {
    const user = await createUser();
    const { calls, send } = pluggedIn();
    const ip = uniqueIp();
    let res: Response | undefined;
    for (let i = 0; i < 30 && res?.status !== 429; i++) {
      res = await send(PASSWORD_ACTION, post(user.username, `wrong-${i}`, ip));
    }
    expect(res?.status).toBe(429);
    expect(calls.failures.at(-1)).toMatchObject({ status: 429, username: user.username });
    expect(Number(calls.failures.at(-1)?.headers?.["Retry-After"])).toBeGreaterThan(0);
  });

  it("is what the Gatehouse login page shows and posts to (the default LOGIN_METHODS)", async () => {
    const client = await createClient();
    const browser = new TestBrowser();
    const page = await (await browser.fetch((await authorizationRequest(client)).url)).text();
    expect(parseForm(page).action).toBe(PASSWORD_ACTION);
    expect(PASSWORD_ACTION).toBe("/authorize/login");
  });
});
