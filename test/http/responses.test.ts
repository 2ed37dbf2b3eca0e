/// <reference types="vite/client" />
import { describe, expect, it } from "vitest";

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
