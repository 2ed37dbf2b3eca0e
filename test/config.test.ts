import { exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError, getConfig, issuerFor } from "../src/config";
import { deployment } from "./helpers/deployment";

afterEach(() => {
  vi.restoreAllMocks();
});

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
    expect(issuerFor(getConfig({ ...base }), "http://127.0.0.1:9000/")).toBe("http://127.0.0.1:9000");
    expect(issuerFor(getConfig({ ...base }), "http://[::1]/")).toBe("http://[::1]");
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

  it("allows INSECURE_CLIENT_METADATA_HOSTS only as loopback host:port values, and never with an https ISSUER", () => {
    expect(getConfig({ ...base }).insecureClientMetadataHosts).toEqual([]);
    expect(
      getConfig({ ...base, INSECURE_CLIENT_METADATA_HOSTS: " 127.0.0.1:4100 [::1]:4100 localhost:4101 " })
        .insecureClientMetadataHosts,
    ).toEqual(["127.0.0.1:4100", "[::1]:4100", "localhost:4101"]);
    for (const value of ["127.0.0.1", "app.example.com:443", "127.0.0.1:4100/x", "http://127.0.0.1:4100"]) {
      expect(() => getConfig({ ...base, INSECURE_CLIENT_METADATA_HOSTS: value }), value).toThrow(ConfigError);
    }
    // Production (an https issuer) refuses it: plain http would let the network rewrite a client.
    expect(() =>
      getConfig({ ...base, ISSUER: "https://login.example.com", INSECURE_CLIENT_METADATA_HOSTS: "127.0.0.1:4100" }),
    ).toThrow(/INSECURE_CLIENT_METADATA_HOSTS/);
    expect(
      getConfig({ ...base, ISSUER: "http://localhost:8787", INSECURE_CLIENT_METADATA_HOSTS: "127.0.0.1:4100" })
        .insecureClientMetadataHosts,
    ).toEqual(["127.0.0.1:4100"]);
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

  it("parses the session check interval: 300 s by default, 0 (check every use) up to an hour", () => {
    expect(getConfig({ ...base }).sessionCheckInterval).toBe(300);
    expect(getConfig({ ...base, SESSION_CHECK_INTERVAL: "0" }).sessionCheckInterval).toBe(0);
    expect(getConfig({ ...base, SESSION_CHECK_INTERVAL: "60" }).sessionCheckInterval).toBe(60);
    for (const value of ["-1", "3601", "1.5", "soon"]) {
      expect(() => getConfig({ ...base, SESSION_CHECK_INTERVAL: value }), value).toThrow(ConfigError);
    }
  });
});

/** A request for a deployed host, sent to the Worker under test (ISSUER unset). */
function onHost(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return exports.default.fetch(new Request(url, { headers, redirect: "manual" }));
}

describe("ISSUER is required outside local development", () => {
  it("logs the problem once per isolate, not once per request", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const send = deployment({}, "https://login.example.com");
    for (let i = 0; i < 3; i++) expect((await send("/jwks.json")).status).toBe(500);
    const lines = log.mock.calls.filter((args) => String(args[0]).includes("ISSUER is not set"));
    // The first foreign-host request of this isolate (this test runs first in the file).
    expect(lines.length).toBe(1);
  });

  it("answers a request for another host without ISSUER with a 500 configuration error, as JSON", async () => {
    for (const url of [
      "http://login.example.com/.well-known/openid-configuration",
      "https://login.example.com/token",
      "https://127.0.0.1.example.com/jwks.json",
      "http://192.168.1.10:8787/authorize",
    ]) {
      const res = await onHost(url);
      expect(res.status, url).toBe(500);
      const body = await res.json<{ error: string; error_description: string }>();
      expect(body.error, url).toBe("server_error");
      expect(body.error_description, url).toContain("ISSUER");
    }
  });

  it("shows browsers an HTML page that says what is missing", async () => {
    const res = await onHost("https://login.example.com/authorize?client_id=x", {
      Accept: "text/html,application/xhtml+xml",
    });
    expect(res.status).toBe(500);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(res.headers.get("Content-Security-Policy")).toContain("frame-ancestors 'none'");
    const page = await res.text();
    expect(page).toContain("ISSUER");
    expect(page).toContain("server_error");
  });

  it("serves localhost, 127.0.0.1 and [::1] on any port without ISSUER, and any host with it", async () => {
    for (const origin of ["http://localhost:8787", "http://127.0.0.1:9000", "http://[::1]:3000"]) {
      const res = await onHost(`${origin}/.well-known/oauth-authorization-server`);
      expect(res.status, origin).toBe(200);
      expect((await res.json<{ issuer: string }>()).issuer).toBe(origin);
    }
    const configured = deployment({ ISSUER: "https://login.example.com" });
    const res = await configured("/.well-known/oauth-authorization-server");
    expect(res.status).toBe(200);
    expect((await res.json<{ issuer: string }>()).issuer).toBe("https://login.example.com");
  });
});
