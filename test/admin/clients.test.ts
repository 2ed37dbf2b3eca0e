import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import type { ClientInformationResponse } from "../../src/oauth/client-registration";
import { ADMIN_TOKEN, ORIGIN, admin, request } from "../helpers/http";
import { createClient, createPublicClient } from "../helpers/fixtures";

const valid = { client_name: "Admin test", redirect_uris: ["https://rp.example/cb"] };

async function register(body: unknown): Promise<Response> {
  return admin("POST", "/clients", body);
}

describe("POST /admin/clients", () => {
  it("answers 201 with the client information response and the RFC 7591 defaults", async () => {
    const res = await register(valid);
    expect(res.status).toBe(201);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const body = (await res.json()) as ClientInformationResponse;
    expect(body).toEqual({
      client_id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      client_id_issued_at: expect.any(Number),
      client_secret_expires_at: 0,
      client_name: "Admin test",
      redirect_uris: ["https://rp.example/cb"],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
      scope: "openid profile email",
    });
    expect(Math.abs(body.client_id_issued_at - Date.now() / 1000)).toBeLessThan(300);
  });

  it("keeps the metadata it was given", async () => {
    const metadata = {
      client_name: "Full",
      redirect_uris: ["https://rp.example/a", "com.example.app:/cb", "http://127.0.0.1/cb"],
      grant_types: ["authorization_code", "refresh_token"],
      token_endpoint_auth_method: "client_secret_post",
      scope: "openid offline_access",
      client_uri: "https://rp.example/",
      logo_uri: "https://rp.example/logo.png",
      contacts: ["ops@rp.example"],
    };
    const res = await register(metadata);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject(metadata);
  });

  it("issues no secret to a public client (token_endpoint_auth_method none)", async () => {
    const res = await register({ ...valid, token_endpoint_auth_method: "none" });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.token_endpoint_auth_method).toBe("none");
    expect(body).not.toHaveProperty("client_secret");
    expect(body).not.toHaveProperty("client_secret_expires_at");
  });

  it("drops metadata fields it does not understand (RFC 7591 §2)", async () => {
    const res = await register({ ...valid, jwks_uri: "https://rp.example/jwks", software_id: "x", client_secret: "mine" });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty("jwks_uri");
    expect(body).not.toHaveProperty("software_id");
    expect(body.client_secret).not.toBe("mine");
  });

  it.each<[string, unknown]>([
    ["missing redirect_uris", { client_name: "x" }],
    ["empty redirect_uris", { redirect_uris: [] }],
    ["redirect_uris not an array", { redirect_uris: "https://rp.example/cb" }],
    ["a non-string redirect URI", { redirect_uris: [42] }],
    ["a relative redirect URI", { redirect_uris: ["/cb"] }],
    ["a redirect URI with a fragment", { redirect_uris: ["https://rp.example/cb#x"] }],
    ["a redirect URI with an empty fragment", { redirect_uris: ["https://rp.example/cb#"] }],
    ["plain http on a public host", { redirect_uris: ["http://rp.example/cb"] }],
    ["plain http on a host that only starts like loopback", { redirect_uris: ["http://127.0.0.1.evil.example/cb"] }],
    ["a javascript: URI", { redirect_uris: ["javascript:alert(1)"] }],
    ["a data: URI", { redirect_uris: ["data:text/html,hi"] }],
    ["a private-use scheme without a dot", { redirect_uris: ["myapp:/cb"] }],
    ["a redirect URI with whitespace", { redirect_uris: ["https://rp.example/c b"] }],
    ["a redirect URI with user information", { redirect_uris: ["https://user:pw@rp.example/cb"] }],
    ["an https URI without an authority", { redirect_uris: ["https:rp.example/cb"] }],
    ["one bad URI among good ones", { redirect_uris: ["https://rp.example/cb", "http://rp.example/cb"] }],
  ])("refuses %s with invalid_redirect_uri", async (_, body) => {
    const res = await register(body);
    expect(res.status).toBe(400);
    const error = (await res.json()) as { error: string; error_description: string };
    expect(error.error).toBe("invalid_redirect_uri");
    expect(error.error_description).toBeTruthy();
  });

  it.each<[string, Record<string, unknown>]>([
    ["an unknown grant type", { grant_types: ["authorization_code", "password"] }],
    ["the implicit grant", { grant_types: ["implicit"] }],
    ["empty grant_types", { grant_types: [] }],
    ["refresh_token without authorization_code (RFC 7591 §2.1)", { grant_types: ["refresh_token"] }],
    ["grant_types not an array", { grant_types: "authorization_code" }],
    ["response type token", { response_types: ["token"] }],
    ["response types code and token", { response_types: ["code", "token"] }],
    ["empty response_types", { response_types: [] }],
    ["an unknown auth method", { token_endpoint_auth_method: "private_key_jwt" }],
    ["a scope with a double quote", { scope: 'openid "profile"' }],
    ["a scope with a backslash", { scope: "openid pro\\file" }],
    ["a scope with two spaces", { scope: "openid  profile" }],
    ["a scope with a leading space", { scope: " openid" }],
    ["a scope with a non-ASCII character", { scope: "openid profilé" }],
    ["an empty scope", { scope: "" }],
    ["a scope that is not a string", { scope: ["openid"] }],
    ["an empty client_name", { client_name: "  " }],
    ["a client_name that is not a string", { client_name: 7 }],
    ["a relative client_uri", { client_uri: "/about" }],
    ["a javascript: logo_uri", { logo_uri: "javascript:alert(1)" }],
    ["contacts that are not e-mail addresses", { contacts: ["call me"] }],
    ["a resource this server does not serve", { resources: ["https://api.example"] }],
  ])("refuses %s with invalid_client_metadata", async (_, extra) => {
    const res = await register({ ...valid, ...extra });
    expect(res.status).toBe(400);
    const error = (await res.json()) as { error: string; error_description: string };
    expect(error.error).toBe("invalid_client_metadata");
    expect(error.error_description).toBeTruthy();
  });

  it("accepts resources the server is configured for, and only those", async () => {
    const app = createApp();
    const withResources = { ...env, RESOURCES: "https://api.example https://other.example" };
    const post = (body: unknown) =>
      app.fetch(
        new Request(new URL("/admin/clients", ORIGIN), {
          method: "POST",
          headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
          body: JSON.stringify(body),
        }),
        withResources,
      );
    const ok = await post({ ...valid, resources: ["https://api.example"] });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ resources: ["https://api.example"] });
    const bad = await post({ ...valid, resources: ["https://api.example", "https://third.example"] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "invalid_client_metadata" });
  });

  it.each<[string, RequestInit]>([
    ["a form-encoded body", { headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "redirect_uris=https://rp.example/cb" }],
    ["no Content-Type", { body: JSON.stringify(valid) }],
    ["malformed JSON", { headers: { "Content-Type": "application/json" }, body: '{"redirect_uris": [' }],
    ["an oversized body", { headers: { "Content-Type": "application/json" }, body: JSON.stringify({ ...valid, client_name: "x".repeat(100_000) }) }],
  ])("refuses %s with invalid_request", async (_, init) => {
    const res = await request("/admin/clients", {
      method: "POST",
      ...init,
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, ...(init.headers as Record<string, string> | undefined) },
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(await res.json()).toMatchObject({ error: "invalid_request" });
  });

  it.each([["an array", [valid]], ["a string", "client"], ["null", null]])(
    "refuses a JSON body that is %s with invalid_client_metadata",
    async (_, body) => {
      const res = await register(body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: "invalid_client_metadata" });
    },
  );
});

describe("reading and deleting clients", () => {
  it("GET /admin/clients/:id answers the registration without the secret or its hash", async () => {
    const client = await createClient();
    const res = await admin("GET", `/clients/${client.client_id}`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(client.client_secret);
    expect(text).not.toContain("client_secret_hash");
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(body).not.toHaveProperty("client_secret");
    const { client_secret: _secret, ...rest } = client.metadata;
    expect(body).toEqual(rest);
  });

  it("GET /admin/clients lists registrations without secrets or hashes", async () => {
    const mine = await createClient();
    const other = await createPublicClient();
    const seen: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    do {
      const res = await admin("GET", `/clients?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).not.toContain(mine.client_secret);
      expect(text).not.toContain("client_secret_hash");
      expect(text).not.toContain('"client_secret"');
      const page = JSON.parse(text) as { clients: Record<string, unknown>[]; cursor?: string };
      seen.push(...page.clients);
      cursor = page.cursor;
    } while (cursor);
    const ids = seen.map((c) => c.client_id);
    expect(ids).toContain(mine.client_id);
    expect(ids).toContain(other.client_id);
  });

  it("refuses a malformed limit with invalid_request", async () => {
    for (const limit of ["0", "1001", "abc", "-1"]) {
      const res = await admin("GET", `/clients?limit=${limit}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: "invalid_request" });
    }
  });

  it("DELETE answers 204, then the client is 404 and a second DELETE is 404", async () => {
    const client = await createClient();
    const del = await admin("DELETE", `/clients/${client.client_id}`);
    expect(del.status).toBe(204);
    expect(await del.text()).toBe("");
    const get = await admin("GET", `/clients/${client.client_id}`);
    expect(get.status).toBe(404);
    expect(await get.json()).toMatchObject({ error: "not_found" });
    expect((await admin("DELETE", `/clients/${client.client_id}`)).status).toBe(404);
  });

  it("answers 404 not_found for an unknown or malformed client id", async () => {
    for (const id of ["does-not-exist", "a".repeat(600), "%2E%2E"]) {
      const res = await admin("GET", `/clients/${id}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: "not_found" });
    }
  });
});
