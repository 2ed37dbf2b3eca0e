import { describe, expect, it } from "vitest";
import { matchRedirectUri } from "../../src/oauth/redirect-uri";

describe("redirect URI matching", () => {
  const registered = ["https://rp.example/cb", "com.example.app:/oauth", "http://127.0.0.1/native"];

  it("accepts the exact registered string", () => {
    for (const uri of registered) expect(matchRedirectUri(registered, uri)).toBe(true);
  });

  it.each([
    ["a trailing slash", "https://rp.example/cb/"],
    ["another case in the scheme", "HTTPS://rp.example/cb"],
    ["another case in the host", "https://RP.example/cb"],
    ["an added query", "https://rp.example/cb?x=1"],
    ["a fragment", "https://rp.example/cb#x"],
    ["a sub-path", "https://rp.example/cb/evil"],
    ["a different port", "https://rp.example:8443/cb"],
    ["http instead of https", "http://rp.example/cb"],
    ["a userinfo prefix", "https://rp.example@evil.example/cb"],
    ["a prefix host", "https://rp.example.evil.example/cb"],
    ["a dot-segment", "https://rp.example/x/../cb"],
    ["percent-encoding", "https://rp.example/%63b"],
  ])("refuses %s", (_why, uri) => {
    expect(matchRedirectUri(registered, uri)).toBe(false);
  });

  it("accepts any port on a registered loopback IP (RFC 8252 §7.3)", () => {
    expect(matchRedirectUri(registered, "http://127.0.0.1:51234/native")).toBe(true);
    expect(matchRedirectUri(["http://127.0.0.1:8000/native"], "http://127.0.0.1:9000/native")).toBe(
      true,
    );
    expect(matchRedirectUri(["http://[::1]/cb"], "http://[::1]:60000/cb")).toBe(true);
  });

  it("keeps the loopback exception to the port only", () => {
    expect(matchRedirectUri(registered, "http://127.0.0.1:51234/other")).toBe(false);
    expect(matchRedirectUri(registered, "http://127.0.0.1:51234/native?x")).toBe(false);
    expect(matchRedirectUri(registered, "http://[::1]:51234/native")).toBe(false);
    expect(matchRedirectUri(registered, "http://127.0.0.1:99999/native")).toBe(false);
    expect(matchRedirectUri(["http://localhost/cb"], "http://localhost:3000/cb")).toBe(false);
    expect(matchRedirectUri(["https://127.0.0.1/cb"], "https://127.0.0.1:8443/cb")).toBe(false);
  });
});
