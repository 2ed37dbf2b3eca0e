import { describe, expect, it } from "vitest";
import { ConfigError, getConfig, issuerFor } from "../src/config";

const base = {} as Env;

describe("configuration", () => {
  it("fills in the documented defaults", () => {
    const config = getConfig({ ...base });
    expect(config).toMatchObject({
      issuer: undefined,
      adminToken: undefined,
      codeTtl: 60,
      accessTokenTtl: 600,
      refreshTokenTtl: 30 * 86_400,
      registration: "closed",
      resources: [],
      accessTokenAlg: "ES256",
    });
  });

  it("uses the request origin only when ISSUER is unset", () => {
    expect(issuerFor(getConfig({ ...base }), "http://localhost:8787/authorize?x=1")).toBe(
      "http://localhost:8787",
    );
    const fixed = getConfig({ ...base, ISSUER: "https://login.example.com/" });
    expect(issuerFor(fixed, "http://evil.example/authorize")).toBe("https://login.example.com");
  });

  it("parses RESOURCES as space-separated absolute URIs", () => {
    const config = getConfig({ ...base, RESOURCES: " https://api.example.com  https://b.example/x " });
    expect(config.resources).toEqual(["https://api.example.com", "https://b.example/x"]);
  });

  it.each([
    ["ISSUER", "http://login.example.com"],
    ["ISSUER", "https://login.example.com/?a=b"],
    ["ISSUER", "https://example.com/auth"],
    ["CODE_TTL", "0"],
    ["CODE_TTL", "abc"],
    ["REGISTRATION", "sometimes"],
    ["RESOURCES", "not-a-uri"],
    ["RESOURCES", "https://api.example.com/#frag"],
    ["ACCESS_TOKEN_ALG", "none"],
  ])("refuses %s=%s", (key, value) => {
    expect(() => getConfig({ ...base, [key]: value })).toThrow(ConfigError);
  });

  it("requires REGISTRATION_TOKEN when REGISTRATION=token", () => {
    expect(() => getConfig({ ...base, REGISTRATION: "token" })).toThrow(ConfigError);
    expect(getConfig({ ...base, REGISTRATION: "token", REGISTRATION_TOKEN: "t" }).registration).toBe(
      "token",
    );
  });

  it("parses the refresh retry grace (0 turns it off) and the grant's absolute lifetime", () => {
    expect(getConfig({ ...base })).toMatchObject({
      refreshTokenReuseGrace: 30,
      grantMaxLifetime: 365 * 86_400,
    });
    expect(getConfig({ ...base, REFRESH_TOKEN_REUSE_GRACE: "0" }).refreshTokenReuseGrace).toBe(0);
    for (const [key, value] of [
      ["REFRESH_TOKEN_REUSE_GRACE", "-1"],
      ["REFRESH_TOKEN_REUSE_GRACE", "301"],
      ["GRANT_MAX_LIFETIME", "0"],
      ["GRANT_MAX_LIFETIME", "1.5"],
    ]) {
      expect(() => getConfig({ ...base, [key as string]: value }), `${key}=${value}`).toThrow(
        ConfigError,
      );
    }
  });
});
