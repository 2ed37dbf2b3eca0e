import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { getConfig } from "../src/config";
import type { Stores } from "../src/storage/stores";
import { ADMIN_TOKEN, ORIGIN, admin, request } from "./helpers/http";

/** Sends a request to `app` over the test bindings, as the Worker entry would. */
function send(app: ReturnType<typeof createApp>, path: string, init?: RequestInit) {
  return app.fetch(new Request(new URL(path, ORIGIN), { redirect: "manual", ...init }), env);
}

const registration = {
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ client_name: "Built", redirect_uris: ["https://built.example/cb"] }),
};

describe("createApp(options): the app built with another configuration or other stores", () => {
  it("serves the configuration it is given instead of the one parsed from the bindings", async () => {
    const open = createApp({ config: { ...getConfig(env), registration: "open" } });
    // The bindings keep REGISTRATION closed: the Worker as deployed has no /register.
    expect((await request("/register", registration)).status).toBe(404);
    const res = await send(open, "/register", registration);
    expect(res.status).toBe(201);
    const metadata = await (await send(open, "/.well-known/oauth-authorization-server")).json();
    expect(metadata).toHaveProperty("registration_endpoint", `${ORIGIN}/register`);
  });

  it("takes the configuration as a function of the bindings", async () => {
    const app = createApp({ config: (e) => ({ ...getConfig(e), adminToken: undefined }) });
    const headers = { Authorization: `Bearer ${ADMIN_TOKEN}` };
    expect((await admin("GET", "/clients?limit=1")).status).toBe(200);
    expect((await send(app, "/admin/clients?limit=1", { headers })).status).toBe(404);
  });

  it("keeps records in the stores it is given, and only there", async () => {
    // Clients kept in another namespace (here the TOKENS one) than the Worker's CLIENTS.
    const stores = (e: Env): Stores => ({ ...e, CLIENTS: e.TOKENS });
    const app = createApp({ stores });
    const headers = { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" };
    const created = await send(app, "/admin/clients", {
      method: "POST",
      headers,
      body: JSON.stringify({ client_name: "Elsewhere", redirect_uris: ["https://else.example/cb"] }),
    });
    expect(created.status).toBe(201);
    const { client_id } = (await created.json()) as { client_id: string };

    expect((await send(app, `/admin/clients/${client_id}`, { headers })).status).toBe(200);
    // The Worker built with the default stores does not know it.
    expect((await admin("GET", `/clients/${client_id}`)).status).toBe(404);
    // Its authorization endpoint does: the client's redirect URI is honoured.
    const authorize = new URLSearchParams({
      response_type: "code",
      client_id,
      redirect_uri: "https://else.example/cb",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeKt8URWbuGJSstw-cM",
      code_challenge_method: "S256",
      state: "s",
    });
    const page = await send(app, `/authorize?${authorize}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('name="password"');
    // The Worker with the default stores refuses it as unknown, on a page (no redirect).
    const refused = await request(`/authorize?${authorize}`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("Location")).toBeNull();
    expect(await refused.text()).toContain("invalid_client");

    const deleted = await send(app, `/admin/clients/${client_id}`, { headers, method: "DELETE" });
    expect(deleted.status).toBe(204);
  });
});
