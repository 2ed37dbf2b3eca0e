import { describe, expect, it } from "vitest";
import { createClient } from "../helpers/fixtures";
import { ADMIN_TOKEN, request } from "../helpers/http";

/**
 * "Bad input never yields a 500 or a stack trace" (DESIGN.md, Errors): every endpoint is sent a
 * fixed corpus of malformed requests — odd media types, non-UTF-8 bytes, broken percent-encoding,
 * prototype-pollution names, wrong JSON shapes, broken credentials — and must answer each with a
 * 4xx whose body names an error and leaks no stack.
 */
const BODIES: (string | Uint8Array)[] = [
  "",
  "=",
  "&&&",
  "%",
  "%zz=%",
  "a=%E0%A4%A",
  "grant_type=%00&code=%FF",
  "__proto__=1&constructor=x&prototype=y",
  "grant_type=authorization_code&code=a.b.c.d.e",
  "grant_type=refresh_token&refresh_token=.",
  `state=${"s".repeat(70_000)}`,
  "null",
  "[]",
  '"string"',
  "{",
  '{"redirect_uris":{}}',
  '{"redirect_uris":["https://a.example/cb"],"grant_types":"authorization_code"}',
  '{"__proto__":{"admin":true},"redirect_uris":["https://a.example/cb"]}',
  '{"username":{"$gt":""},"password":["x"]}',
  new Uint8Array([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28]),
];

const CONTENT_TYPES = [
  undefined,
  "text/plain",
  "application/json",
  "application/x-www-form-urlencoded",
  "application/x-www-form-urlencoded; charset=iso-8859-1",
  "multipart/form-data; boundary=x",
];

const AUTHORIZATIONS = [
  undefined,
  "Basic",
  "Basic !!!",
  `Basic ${btoa(":")}`,
  `Basic ${btoa("only-an-id")}`,
  `Basic ${btoa("%zz:%")}`,
  "Bearer",
  "Bearer a b",
  "Bearer \u00e9\u00e9",
  `Bearer ${ADMIN_TOKEN}x`,
  "Digest username=x",
];

const POST_ENDPOINTS = [
  "/token",
  "/revoke",
  "/introspect",
  "/userinfo",
  "/authorize",
  "/authorize/login",
  "/authorize/consent",
  "/register",
  "/admin/clients",
  "/admin/users",
];

async function expectCleanError(res: Response, what: string) {
  expect(res.status, what).toBeGreaterThanOrEqual(400);
  expect(res.status, what).toBeLessThan(500);
  const text = await res.text();
  expect(text, what).not.toMatch(/\bat .*\.(ts|js):\d+|Error: /);
}

describe("malformed requests get a clear 4xx, never a 500", () => {
  it.each(POST_ENDPOINTS)("POST %s", async (path) => {
    for (const body of BODIES) {
      for (const type of CONTENT_TYPES) {
        const headers: Record<string, string> = type ? { "Content-Type": type } : {};
        const res = await request(path, { method: "POST", headers, body });
        await expectCleanError(res, `${path} ${type} ${String(body).slice(0, 40)}`);
      }
    }
  });

  it.each(["/token", "/introspect", "/revoke", "/userinfo", "/admin/clients", "/api/me"])("credentials in %s", async (path) => {
    for (const authorization of AUTHORIZATIONS) {
      const headers: Record<string, string> = {
        "Content-Type": "application/x-www-form-urlencoded",
        ...(authorization ? { Authorization: authorization } : {}),
      };
      const method = path === "/api/me" ? "GET" : "POST";
      const body =
        method === "POST"
          ? "grant_type=refresh_token&refresh_token=x.y&token=x&access_token=%FF%00"
          : undefined;
      const res = await request(path, { method, headers, ...(body ? { body } : {}) });
      await expectCleanError(res, `${path} ${authorization}`);
    }
  });

  it("authorization requests with hostile parameters", async () => {
    const client = await createClient();
    const base = {
      response_type: "code",
      client_id: client.client_id,
      redirect_uri: client.redirect_uri,
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
    };
    const variants: Record<string, string>[] = [
      { scope: "\u0000" },
      { scope: "a\"b" },
      { prompt: "none login" },
      { max_age: "-1" },
      { max_age: "1e9" },
      { resource: "not a uri" },
      { id_token_hint: "x" },
      { id_token_hint: "e30.e30.e30" },
      { response_mode: "fragment" },
      { request: "eyJ" },
      { login_hint: "\ud800" },
      { nonce: "n".repeat(10_000) },
    ];
    for (const variant of variants) {
      const res = await request(`/authorize?${new URLSearchParams({ ...base, ...variant })}`);
      // These are redirected errors (the client and redirect URI are fine) or pages: never 5xx.
      expect(res.status, JSON.stringify(variant)).toBeLessThan(500);
      if (res.status >= 300 && res.status < 400) {
        const location = new URL(res.headers.get("Location") as string);
        expect(location.searchParams.get("error"), JSON.stringify(variant)).toBeTruthy();
      }
    }
    for (const query of ["client_id=%", "%zz", "client_id=a&client_id=b", `client_id=${"x".repeat(10_000)}`]) {
      await expectCleanError(await request(`/authorize?${query}`), query);
    }
  });

  it("queries on the POST endpoints, credentials in them or not", async () => {
    const queries = ["%", "%zz=%", "client_secret", "client_secret=%FF", "token&token", "x".repeat(8000)];
    for (const path of ["/token", "/revoke", "/introspect", "/userinfo"]) {
      for (const query of queries) {
        const res = await request(`${path}?${query}`, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: "token=x&access_token=x",
        });
        await expectCleanError(res, `${path}?${query.slice(0, 40)}`);
      }
    }
  });
});
