/// <reference types="vite/client" />
import { describe, expect, it } from "vitest";
import { authorizationRequest, authorizeWithLogin, TestBrowser } from "../helpers/browser";
import { createClient, createUser, type TestClient } from "../helpers/fixtures";

/**
 * Headers and cookies set on the Hono context (the session a sign-in starts, the CSRF cookie,
 * security headers) reach the browser only on a response the context builds: c.redirect,
 * c.html, c.json, c.body, c.newResponse. A bare `new Response(...)` (or `Response.redirect`,
 * `Response.json`) silently drops them; that once lost the session of every returning user. So
 * no module of the endpoints, the HTTP layer or the pages builds one.
 */
const sources = import.meta.glob<string>(
  ["../../src/oauth/**/*.{ts,tsx}", "../../src/http/**/*.{ts,tsx}", "../../src/ui/**/*.{ts,tsx}"],
  { query: "?raw", import: "default", eager: true },
);

/** Files allowed to build a Response themselves (with the reason). None today. */
const ALLOWED: ReadonlySet<string> = new Set<string>();

const BARE_RESPONSE = /\bnew\s+Response\s*\(|\bResponse\s*\.\s*(?:redirect|json|error)\s*\(/;

describe("one way to answer", () => {
  it("reads the modules it guards", () => {
    const files = Object.keys(sources);
    expect(files).toContain("../../src/oauth/authorization-flow.ts");
    expect(files).toContain("../../src/http/on-error.ts");
    expect(files.length).toBeGreaterThan(20);
  });

  it("no endpoint, HTTP helper or page builds a bare Response", () => {
    const offenders = Object.entries(sources)
      .filter(([file, text]) => !ALLOWED.has(file) && BARE_RESPONSE.test(text))
      .map(([file]) => file);
    expect(offenders).toEqual([]);
  });
});

/** The names of the cookies a response sets. */
const cookiesSet = (res: Response) => res.headers.getSetCookie().map((c) => c.slice(0, c.indexOf("=")));

describe("every answer of the authorization endpoint and its forms carries the cookies set for it", () => {
  async function loginPage(client: TestClient, spoil: (url: string) => string = (u) => u) {
    const browser = new TestBrowser();
    const { url } = await authorizationRequest(client);
    const res = await browser.fetch(spoil(url));
    expect(res.status).toBe(200);
    expect(cookiesSet(res)).toContain("gatehouse-csrf"); // the page
    return { browser, page: await res.text() };
  }

  it("a sign-in answered with the consent page, a code or an error carries the new session", async () => {
    const user = await createUser();
    const credentials = { username: user.username, password: user.password };
    const fresh = await createClient();
    const consented = await createClient();
    await authorizeWithLogin(consented, user);
    const exits: Array<[string, TestClient, (u: string) => string, number]> = [
      ["consent page", fresh, (u) => u, 200],
      ["redirect with a code (remembered consent)", consented, (u) => u, 303],
      ["error redirect (refused request)", fresh, (u) => u.replace("response_type=code", "response_type=token"), 303],
    ];
    for (const [exit, client, spoil, status] of exits) {
      const { browser, page } = await loginPage(client, spoil);
      const res = await browser.submit(page, credentials);
      expect(res.status, exit).toBe(status);
      expect(cookiesSet(res), exit).toContain("gatehouse-session");
    }
  });

  it("a failed sign-in page carries the CSRF cookie of its new form, and no session", async () => {
    const { browser, page } = await loginPage(await createClient());
    const res = await browser.submit(page, { username: "nobody", password: "wrong" });
    expect(res.status).toBe(400);
    expect(cookiesSet(res)).toContain("gatehouse-csrf");
    expect(cookiesSet(res)).not.toContain("gatehouse-session");
  });
});
