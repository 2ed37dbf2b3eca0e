import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { LoginMethod } from "../../src/auth/method";
import { passwordMethod } from "../../src/auth/password/method";
import type { AppEnv } from "../../src/http/app-env";
import { loginRoutesOf } from "../../src/oauth/login";
import { bareApp } from "../helpers/bare-app";

/** A login method Gatehouse does not have, so that no LOGIN_METHODS can name it. */
function standIn(): LoginMethod & { reached: string[] } {
  const reached: string[] = [];
  const method = {
    id: "stand-in",
    amr: ["otp"],
    reached,
    renderForm: () => null,
    routes(app: Hono<AppEnv>, host: Parameters<LoginMethod["routes"]>[1]) {
      app.post("/authorize/stand-in", async (c) => {
        await host.open(c, method);
        reached.push("after open");
        return c.text("signed in");
      });
    },
  };
  return method;
}

function appWith(methods: readonly LoginMethod[]) {
  const { app, send } = bareApp();
  app.route("/", loginRoutesOf(methods));
  return send;
}

describe("the login methods' routes", () => {
  it("a method that LOGIN_METHODS does not name answers 404 before reading its form", async () => {
    const method = standIn();
    const send = appWith([passwordMethod, method]);
    const res = await send("/authorize/stand-in", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "request=x&csrf=y",
    });
    expect(res.status).toBe(404);
    expect(method.reached).toEqual([]);
  });

  it("a configured method's POST is opened only with a valid ticket (else an error page)", async () => {
    const send = appWith([passwordMethod]);
    const res = await send("/authorize/login", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Accept: "text/html",
      },
      body: "request=forged&csrf=y&username=a&password=b",
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
  });
});
