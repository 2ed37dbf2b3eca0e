import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { unseal } from "../../src/crypto/seal";
import { getSealKey } from "../../src/storage/keys";
import { TestBrowser } from "../helpers/browser";
import { answerAuthorization, pressStep, shownCredentials, startDemo, visit } from "../helpers/demo";
import { localDevelopment } from "../helpers/deployment";
import { basicAuthorization } from "../helpers/fixtures";
import { admin, postForm } from "../helpers/http";

/** What `npm run dev` serves (src/dev.ts): Gatehouse and the demo. */
const local = localDevelopment();

interface ListedClient {
  client_id: string;
  client_name?: string;
  redirect_uris: string[];
  token_endpoint_auth_method: string;
}

/** The demo's clients as the admin API lists them: ordinary registrations. */
async function demoClients(): Promise<ListedClient[]> {
  const res = await admin("GET", "/clients?limit=100");
  expect(res.status).toBe(200);
  const { clients } = (await res.json()) as { clients: ListedClient[] };
  return clients.filter((c) => c.client_name === "Gatehouse demo app");
}

/** The users named demo, read from KV's username index as the login form would. */
async function demoUsers(): Promise<string[]> {
  const { keys } = await env.USERS.list({ prefix: "username:demo" });
  return keys.map((k) => k.name);
}

describe("the demo client and user: seeded once, on the first demo request", () => {
  it("two first visits at once make one client and one user", async () => {
    expect(await demoClients()).toEqual([]);
    const [a, b] = await Promise.all([local("/"), local("/")]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const clients = await demoClients();
    expect(clients).toHaveLength(1);
    expect(clients[0]).toMatchObject({
      redirect_uris: ["http://localhost/demo/callback"],
      token_endpoint_auth_method: "client_secret_basic",
    });
    expect(await demoUsers()).toEqual(["username:demo"]);
    // Both pages show the same user, with a random password stored nowhere in clear.
    const [shownA, shownB] = [shownCredentials(await a.text()), shownCredentials(await b.text())];
    expect(shownB).toEqual(shownA);
    expect(shownA.username).toBe("demo");
    expect(shownA.password).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    const { keys } = await env.USERS.list();
    for (const { name } of keys) {
      expect(await env.USERS.get(name), name).not.toContain(shownA.password);
    }

    // And again later: nothing new.
    expect((await local("/")).status).toBe(200);
    expect((await demoClients()).map((c) => c.client_id)).toEqual(clients.map((c) => c.client_id));
    expect(await demoUsers()).toHaveLength(1);
  });

  it("follows the port: the redirect URI becomes the new origin's, and the flow works there", async () => {
    const port9000 = localDevelopment({}, "http://localhost:9000");
    const browser = new TestBrowser(port9000);
    const started = await startDemo(browser);
    const { authorizeUrl } = started;
    expect(authorizeUrl.searchParams.get("redirect_uri")).toBe("http://localhost:9000/demo/callback");
    const clients = await demoClients();
    expect(clients).toHaveLength(1);
    expect(clients[0]?.redirect_uris).toEqual(["http://localhost:9000/demo/callback"]);
    const callback = await answerAuthorization(browser, started, "allow");
    expect(callback.origin).toBe("http://localhost:9000");
    expect((await visit(browser, callback)).status).toBe(200);
  });

  it("registers a new demo client when the operator deleted it", async () => {
    expect((await local("/")).status).toBe(200);
    const [before] = await demoClients();
    expect((await admin("DELETE", `/clients/${before?.client_id}`)).status).toBe(204);
    const browser = new TestBrowser(local);
    const started = await startDemo(browser);
    const { authorizeUrl } = started;
    const [after] = await demoClients();
    expect(after?.client_id).not.toBe(before?.client_id);
    expect(authorizeUrl.searchParams.get("client_id")).toBe(after?.client_id);
    const callback = await answerAuthorization(browser, started, "allow");
    expect((await visit(browser, callback)).status).toBe(200);
  });
});

describe("the demo client's secret stays on the server side", () => {
  it("is stored only sealed, is the client's real secret, and no page or cookie of the run carries it", async () => {
    const browser = new TestBrowser(local);
    const pages: string[] = [];
    const started = await startDemo(browser);
    const { page } = started;
    pages.push(page);
    const exchanged = await visit(browser, await answerAuthorization(browser, started, "allow"));
    pages.push(exchanged.page);
    let step = exchanged.page;
    for (const action of ["/demo/api", "/demo/refresh", "/demo/revoke"]) {
      step = (await pressStep(browser, step, action)).page;
      pages.push(step);
    }

    // The secret, read back the way the demo reads it (an internal format: the pointer record
    // of src/storage/demo-client.ts, sealed by src/demo/demo-parties.ts).
    const pointer = (await env.CLIENTS.get("demo-client", "json")) as { client_id: string; sealed_secret: string };
    const opened = await unseal<{ secret: string }>(await getSealKey(env), "demo_secret", pointer.sealed_secret);
    const secret = opened?.secret as string;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(await env.CLIENTS.get(`client:${pointer.client_id}`, "json"))).not.toContain(secret);
    // It is the registered client's secret: client authentication accepts it.
    const introspection = await postForm("/introspect", { token: "x" }, {
      Authorization: basicAuthorization(pointer.client_id, secret),
    });
    expect(introspection.status).toBe(200);

    for (const shown of pages) expect(shown).not.toContain(secret);
    for (const value of browser.cookies.values()) expect(value).not.toContain(secret);
  });

  it("keeps the run's state within one browser cookie, even with RS256 access tokens", async () => {
    const browser = new TestBrowser(localDevelopment({ ACCESS_TOKEN_ALG: "RS256" }));
    const started = await startDemo(browser);
    const exchanged = await visit(browser, await answerAuthorization(browser, started, "allow"));
    const refreshed = await pressStep(browser, (await pressStep(browser, exchanged.page, "/demo/api")).page, "/demo/refresh");
    expect(refreshed.status).toBe(200);
    const cookie = browser.cookies.get("gatehouse-demo") ?? "";
    expect(cookie.length).toBeGreaterThan(1000);
    expect("gatehouse-demo=".length + cookie.length).toBeLessThan(4096);
  });
});
