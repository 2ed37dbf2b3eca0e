import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { countedBindings } from "../helpers/counted-bindings";
import { createApp } from "../../src/app";
import { mountDemo } from "../../src/demo/mount";
import { deployment, localDevelopment } from "../helpers/deployment";
import { request } from "../helpers/http";

const ISSUER = "https://login.example.com";

/** Every demo route, as a visitor (or someone probing a deployment) would try it. */
const DEMO_REQUESTS: [string, RequestInit][] = [
  ["/", {}],
  ["/demo/start", { method: "POST", body: new URLSearchParams({ csrf: "x" }) }],
  ["/demo/callback?code=abc&state=def&iss=https%3A%2F%2Flogin.example.com", {}],
  ["/demo/api", { method: "POST", body: new URLSearchParams({ csrf: "x" }) }],
  ["/demo/refresh", { method: "POST", body: new URLSearchParams({ csrf: "x" }) }],
  ["/demo/revoke", { method: "POST", body: new URLSearchParams({ csrf: "x" }) }],
];

/** Keys of a KV namespace, all of them. */
async function keysOf(namespace: KVNamespace): Promise<string[]> {
  return (await namespace.list()).keys.map((k) => k.name);
}

describe("a deployed issuer serves nothing of the demo and seeds nothing", () => {
  it("answers every demo route with the ordinary JSON 404, touching no storage", async () => {
    const calls: string[] = [];
    // The Host header cannot bring the demo back: the issuer is the configured https one, even
    // for a request that says localhost.
    // The demo mounted on an app that keeps its https ISSUER (as the development entry never does).
    const demoApp = createApp({ extend: mountDemo });
    for (const origin of [ISSUER, "http://localhost"]) {
      const send = deployment({ ISSUER, ...countedBindings(calls) }, origin, demoApp);
      for (const [path, init] of DEMO_REQUESTS) {
        const res = await send(path, {
          ...init,
          headers: { Accept: "text/html", "Content-Type": "application/x-www-form-urlencoded" },
        });
        expect({ path, origin, status: res.status }).toEqual({ path, origin, status: 404 });
        expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
        expect(await res.json()).toMatchObject({ error: "not_found" });
      }
    }
    // Without ISSUER, a request for a deployed host is refused before any route (the issuer is
    // never taken from a non-loopback Host header): a configuration error, no demo.
    const unconfigured = deployment({ ...countedBindings(calls) }, ISSUER, demoApp);
    for (const [path, init] of DEMO_REQUESTS) {
      const res = await unconfigured(path, init);
      expect({ path, status: res.status }).toEqual({ path, status: 500 });
      expect(await res.json()).toMatchObject({ error: "server_error" });
    }
    // No KV read or write, no Durable Object: nothing of the demo ran.
    expect(calls).toEqual([]);
    // This file's storage is its own: no demo client, no demo user, no pointer to either.
    expect(await keysOf(env.CLIENTS)).toEqual([]);
    expect(await keysOf(env.USERS)).toEqual([]);
  });

  it("serves the same routes on a loopback issuer (the guard is the only difference)", async () => {
    const send = localDevelopment({ ISSUER: "http://127.0.0.1:8787" });
    const res = await send("/", { headers: { Accept: "text/html" } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Try the demo");
  });
});

describe("the development entry (npm run dev) with a deployment's ISSUER in wrangler.toml", () => {
  it("fails closed for the deployed host, touching no storage", async () => {
    const calls: string[] = [];
    const deployedHost = localDevelopment({ ISSUER, ...countedBindings(calls) }, ISSUER);
    for (const [path, init] of [...DEMO_REQUESTS, ["/.well-known/openid-configuration", {}] as [string, RequestInit]]) {
      const res = await deployedHost(path, init);
      expect({ path, status: res.status }).toEqual({ path, status: 500 });
      expect(await res.json()).toMatchObject({ error: "server_error" });
    }
    expect(calls).toEqual([]);
  });

  it("runs on localhost as local development: the issuer is the request's origin", async () => {
    const local = localDevelopment({ ISSUER }, "http://localhost:8787");
    const metadata = await (await local("/.well-known/openid-configuration")).json<{ issuer: string }>();
    expect(metadata.issuer).toBe("http://localhost:8787");
    const landing = await local("/", { headers: { Accept: "text/html" } });
    expect(landing.status).toBe(200);
    expect(await landing.text()).toContain("Try the demo");
  });
});

describe("a loopback issuer serves the demo only to requests for a loopback host", () => {
  it("gives a request for another name (DNS rebinding to 127.0.0.1) the JSON 404, not the password", async () => {
    const calls: string[] = [];
    const rebound = localDevelopment({ ISSUER: "http://localhost:8787", ...countedBindings(calls) }, "http://attacker.example:8787");
    for (const [path, init] of DEMO_REQUESTS) {
      const res = await rebound(path, { ...init, headers: { Accept: "text/html" } });
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(await res.json()).toMatchObject({ error: "not_found" });
    }
    expect(calls).toEqual([]);
  });
});

describe("the deployed Worker (src/index.ts) has no demo at all", () => {
  it("answers every demo route with the JSON 404 even on a loopback issuer, seeding nothing", async () => {
    const calls: string[] = [];
    const before = [await keysOf(env.CLIENTS), await keysOf(env.USERS)];
    // The Worker entry the tests run is wrangler.toml's `main`, the one `wrangler deploy` ships;
    // and the same app with bindings counted, for a loopback issuer.
    const senders = [request, deployment({ ISSUER: "http://127.0.0.1:8787", ...countedBindings(calls) })];
    for (const send of senders) {
      for (const [path, init] of DEMO_REQUESTS) {
        const res = await send(path, { ...init, headers: { Accept: "text/html" } });
        expect({ path, status: res.status }).toEqual({ path, status: 404 });
        expect(await res.json()).toMatchObject({ error: "not_found" });
      }
    }
    expect(calls).toEqual([]);
    expect([await keysOf(env.CLIENTS), await keysOf(env.USERS)]).toEqual(before);
  });
});
