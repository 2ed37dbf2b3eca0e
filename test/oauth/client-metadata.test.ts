import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getConfig } from "../../src/config";
import { parseClientMetadata, redirectUriProblem } from "../../src/oauth/client-metadata";
import { OAuthError } from "../../src/protocol/errors";

// Unit tests of the metadata rules; test/admin/clients.test.ts sends the violations over HTTP.
const config = getConfig(env);

/** The error code parseClientMetadata throws for `input`, or "accepted". */
function codeOf(input: unknown): string {
  try {
    parseClientMetadata(input, config);
  } catch (e) {
    if (e instanceof OAuthError) return e.error;
    throw e;
  }
  return "accepted";
}

describe("redirect URIs that may be registered", () => {
  it.each([
    "https://rp.example/cb",
    "https://rp.example:8443/cb?tenant=a",
    "http://127.0.0.1/cb",
    "http://127.0.0.1:51004/cb",
    "http://[::1]:8080/cb",
    "http://localhost:3000/cb",
    // RFC 8252 §7.1: private-use schemes in reverse domain name notation.
    "com.example.app:/oauth2redirect",
    "com.example.app://callback",
  ])("accepts %s", (uri) => {
    expect(redirectUriProblem(uri)).toBeUndefined();
  });

  it.each([
    "http://rp.example/cb",
    "http://localhost.evil.example/cb",
    "http://127.0.0.2/cb",
    "https://rp.example/cb#frag",
    "rp.example/cb",
    "myapp:/cb",
    "file:///etc/passwd",
    "https://rp.example/\u00e9",
    "https:\\\\rp.example\\cb",
    `https://rp.example/${"a".repeat(2000)}`,
  ])("refuses %s", (uri) => {
    expect(redirectUriProblem(uri)).toEqual(expect.any(String));
  });
});

describe("parseClientMetadata", () => {
  it("fills in the defaults", () => {
    expect(parseClientMetadata({ redirect_uris: ["https://rp.example/cb"] }, config)).toEqual({
      redirect_uris: ["https://rp.example/cb"],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
      scope: "openid profile email",
    });
  });

  it("removes repeated values", () => {
    const parsed = parseClientMetadata(
      {
        redirect_uris: ["https://rp.example/cb", "https://rp.example/cb"],
        grant_types: ["authorization_code", "authorization_code", "refresh_token"],
        response_types: ["code", "code"],
        scope: "openid openid email",
      },
      config,
    );
    expect(parsed.redirect_uris).toEqual(["https://rp.example/cb"]);
    expect(parsed.grant_types).toEqual(["authorization_code", "refresh_token"]);
    expect(parsed.response_types).toEqual(["code"]);
    expect(parsed.scope).toBe("openid email");
  });

  it("reports redirect URI problems as invalid_redirect_uri and others as invalid_client_metadata", () => {
    expect(codeOf({ redirect_uris: ["http://rp.example/cb"] })).toBe("invalid_redirect_uri");
    expect(codeOf({ redirect_uris: ["https://rp.example/cb"], scope: "a\\b" })).toBe("invalid_client_metadata");
    expect(codeOf({ redirect_uris: ["https://rp.example/cb"] })).toBe("accepted");
  });

  it("limits the number of redirect URIs", () => {
    const many = Array.from({ length: 33 }, (_, i) => `https://rp.example/cb${i}`);
    expect(() => parseClientMetadata({ redirect_uris: many }, config)).toThrow(OAuthError);
    expect(parseClientMetadata({ redirect_uris: many.slice(0, 32) }, config).redirect_uris).toHaveLength(32);
  });
});

describe("clients of the machine grants (RFC 6749 §4.4, RFC 8693)", () => {
  it("need no redirect_uris and get no response types", () => {
    expect(parseClientMetadata({ grant_types: ["client_credentials"] }, config)).toMatchObject({
      redirect_uris: [],
      response_types: [],
      grant_types: ["client_credentials"],
    });
    expect(codeOf({ grant_types: ["urn:ietf:params:oauth:grant-type:token-exchange"] })).toBe("accepted");
  });

  it("are confidential, and a code or refresh client still needs the code grant and its redirect", () => {
    expect(codeOf({ grant_types: ["client_credentials"], token_endpoint_auth_method: "none" })).toBe(
      "invalid_client_metadata",
    );
    expect(codeOf({ grant_types: ["client_credentials", "refresh_token"] })).toBe("invalid_client_metadata");
    expect(codeOf({ grant_types: ["client_credentials"], response_types: ["code"] })).toBe("invalid_client_metadata");
    expect(codeOf({ grant_types: ["authorization_code", "client_credentials"] })).toBe("invalid_redirect_uri");
  });
});
