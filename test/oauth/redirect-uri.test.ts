import { describe, expect, it } from "vitest";
import { appendResponseParams, matchRedirectUri } from "../../src/oauth/redirect-uri";
import { TestBrowser, authorizationRequest } from "../helpers/browser";
import { createClient, createUser } from "../helpers/fixtures";
import { request } from "../helpers/http";

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

/**
 * A redirect URI whose query URLSearchParams would rewrite: `%2F` decoded, `+` re-read as a
 * space, `~` and `*` escaped, a key without `=` given one.
 */
const QUERY_URI = "https://rp.example/cb?tenant=a%2Fb&x=1&plus=a+b&t=~*&flag";

describe("authorization response parameters on the redirect URI (RFC 6749 §3.1.2)", () => {
  it("keeps the URI's own query byte for byte and appends form-encoded parameters", () => {
    expect(appendResponseParams(QUERY_URI, { code: "c/d", state: "a b&c", iss: "http://x" })).toBe(
      `${QUERY_URI}&code=c%2Fd&state=a+b%26c&iss=http%3A%2F%2Fx`,
    );
  });

  it("starts a query when there is none, and adds no separator after '?' or '&'", () => {
    expect(appendResponseParams("https://rp.example/cb", { code: "1" })).toBe(
      "https://rp.example/cb?code=1",
    );
    expect(appendResponseParams("https://rp.example/cb?", { code: "1" })).toBe(
      "https://rp.example/cb?code=1",
    );
    expect(appendResponseParams("https://rp.example/cb?a=1&", { code: "1" })).toBe(
      "https://rp.example/cb?a=1&code=1",
    );
    expect(appendResponseParams("com.example.app:/oauth", { code: "1" })).toBe(
      "com.example.app:/oauth?code=1",
    );
  });

  it("leaves out undefined values", () => {
    expect(appendResponseParams("https://rp.example/cb", { code: "1", state: undefined })).toBe(
      "https://rp.example/cb?code=1",
    );
  });

  it("the success redirect keeps the registered query byte for byte", async () => {
    const client = await createClient({ redirect_uris: [QUERY_URI] });
    const user = await createUser();
    const browser = new TestBrowser();
    const { url, state } = await authorizationRequest(client);
    const login = await (await browser.fetch(url)).text();
    const consent = await browser.submit(login, { username: user.username, password: user.password });
    const res = await browser.submit(await consent.text(), { decision: "allow" });
    expect(res.status).toBe(303);
    const location = res.headers.get("Location") ?? "";
    expect(location.startsWith(`${QUERY_URI}&code=`), location).toBe(true);
    expect(new URL(location).searchParams.get("state")).toBe(state);
  });

  it("the error redirect keeps the registered query byte for byte", async () => {
    const client = await createClient({ redirect_uris: [QUERY_URI] });
    // prompt=none without a session: login_required, redirected at once (OIDC Core §3.1.2.6).
    const { url, state } = await authorizationRequest(client, { extra: { prompt: "none" } });
    const res = await request(url);
    const location = res.headers.get("Location") ?? "";
    expect(location.startsWith(`${QUERY_URI}&error=login_required&`), location).toBe(true);
    expect(new URL(location).searchParams.get("state")).toBe(state);
  });
});
