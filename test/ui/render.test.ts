import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { sha256Base64 } from "../helpers/digest";
import type { AppEnv } from "../../src/http/app-env";
import { formActionSource, pageContentSecurityPolicy, renderPage } from "../../src/ui/render";
import { PasswordForm, renderLoginPage } from "../../src/ui/pages";
import { createClient } from "../helpers/fixtures";
import { authorizationRequest } from "../helpers/browser";
import { request } from "../helpers/http";
import { selectOne } from "../helpers/html";

/** The directives of a CSP header value, by name. Throws if the header appears twice. */
function directives(res: Response): Map<string, string[]> {
  const value = res.headers.get("Content-Security-Policy");
  expect(value, "a Content-Security-Policy header").toBeTruthy();
  // Two headers would be joined with ", " by Headers.get: each would repeat default-src.
  expect(value!.match(/default-src/g)).toHaveLength(1);
  return new Map(
    value!.split(";").map((d) => {
      const [name = "", ...sources] = d.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

function expectPageHeaders(res: Response): void {
  const csp = directives(res);
  expect(csp.get("default-src")).toEqual(["'none'"]);
  expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
  expect(csp.get("base-uri")).toEqual(["'none'"]);
  expect(csp.get("script-src")).toBeUndefined();
  expect(res.headers.get("X-Frame-Options")).toBe("DENY");
  expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
  expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
}

async function renderBare(formActionOrigins?: string[]): Promise<Response> {
  const app = new Hono<AppEnv>();
  app.get("/", (c) =>
    renderLoginPage(
      c,
      {
        clientName: "App",
        forms: PasswordForm({ request: "r", csrf: "c", action: "/authorize/login" }),
      },
      formActionOrigins ? { formActionOrigins } : {},
    ),
  );
  return app.request("/");
}

describe("page security headers", () => {
  it("forbid framing, referrers, caching and everything but the page's own stylesheet", async () => {
    expectPageHeaders(await renderBare());
  });

  it("allow the inline stylesheet by the hash of exactly what is served", async () => {
    const res = await renderBare();
    const style = await selectOne(await res.text(), "style");
    expect(directives(res).get("style-src")).toEqual([`'sha256-${await sha256Base64(style.text)}'`]);
  });

  it("let forms lead to this origin and to the origins given (the client's redirect URI)", async () => {
    const res = await renderBare(["https://rp.example:8443/cb?x=1", "http://127.0.0.1:5555/cb"]);
    expect(directives(res).get("form-action")).toEqual([
      "'self'",
      "https://rp.example:8443",
      "http://127.0.0.1:5555",
    ]);
    expect(directives(await renderBare()).get("form-action")).toEqual(["'self'"]);
  });

  it("allow a private-use URI scheme (RFC 8252 §7.1) by its scheme", () => {
    expect(formActionSource("com.example.app:/oauth2redirect")).toBe("com.example.app:");
    expect(formActionSource("http://[::1]:8080/cb")).toBe("http://[::1]:8080");
  });

  it("never let a form-action value inject another directive", () => {
    const csp = pageContentSecurityPolicy("'sha256-x'", [
      "https://a.example; script-src *",
      "not a uri",
      "https://b.example,script-src",
      "https://c.example;script-src/cb",
    ]);
    expect(csp).not.toMatch(/script-src/);
    expect(csp.split(";")).toHaveLength(6);
  });

  it("keep a caller's status and extra headers", async () => {
    const app = new Hono<AppEnv>();
    app.get("/", (c) => renderPage(c, "x", { status: 429, headers: { "Retry-After": "7" } }));
    const res = await app.request("/");
    expect(res.status).toBe(429);
    expect(res.headers.get("Retry-After")).toBe("7");
  });
});

describe("pages served by the Gatehouse app", () => {
  it("the error page has exactly one CSP, the page's own, despite the app-wide headers", async () => {
    const res = await request(
      `/authorize?response_type=code&client_id=unknown-${crypto.randomUUID()}&redirect_uri=https%3A%2F%2Fevil.example%2Fcb`,
      { headers: { Accept: "text/html" } },
    );
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.headers.get("Location")).toBeNull();
    expectPageHeaders(res);
    expect(directives(res).get("style-src")?.[0]).toMatch(/^'sha256-/);
  });

  it("the login page allows its form to lead to the client's redirect origin", async () => {
    const client = await createClient();
    const { url } = await authorizationRequest(client);
    const res = await request(url);
    expect(res.status).toBe(200);
    expectPageHeaders(res);
    expect(directives(res).get("form-action")).toEqual(["'self'", "https://rp.example"]);
  });
});
