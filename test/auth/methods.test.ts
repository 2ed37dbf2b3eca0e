import { afterEach, describe, expect, it, vi } from "vitest";
import { LOGIN_METHODS, loginMethodsOf } from "../../src/auth/methods";
import { ConfigError, getConfig } from "../../src/config";
import { authorizationRequest } from "../helpers/browser";
import { deployment } from "../helpers/deployment";
import { createClient } from "../helpers/fixtures";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("LOGIN_METHODS chooses the login methods", () => {
  it("offers the password method by default", () => {
    expect(getConfig({} as Env).loginMethods).toEqual(["password"]);
    expect(loginMethodsOf(getConfig({} as Env)).map((m) => m.id)).toEqual(["password"]);
  });

  it("reads a list separated by commas or spaces, each name once", () => {
    const config = getConfig({ LOGIN_METHODS: " password, password " } as Env);
    expect(config.loginMethods).toEqual(["password"]);
    expect(loginMethodsOf(config)).toEqual([LOGIN_METHODS.find((m) => m.id === "password")]);
  });

  it("refuses an unknown method as a configuration error", () => {
    for (const value of ["carrier-pigeon", "password sms", "Password"]) {
      const config = getConfig({ LOGIN_METHODS: value } as Env);
      expect(() => loginMethodsOf(config), value).toThrow(ConfigError);
    }
  });

  it("fails every request of a deployment configured with an unknown method, naming it in the log", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const send = deployment({ LOGIN_METHODS: "password,passkey-someday" });
    const client = await createClient();
    for (const path of [(await authorizationRequest(client)).url, "/jwks.json"]) {
      const res = await send(path, { headers: { Accept: "application/json" } });
      expect(res.status, path).toBe(500);
      expect((await res.json<{ error: string }>()).error).toBe("server_error");
    }
    expect(log.mock.calls.some((args) => String(args[0]).includes("passkey-someday"))).toBe(true);
  });
});
