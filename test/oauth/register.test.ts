import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { ORIGIN } from "../helpers/http";
import { authorizationRequest } from "../helpers/browser";

/** The app under another REGISTRATION setting, as a deployment would configure it. */
async function register(
  settings: Partial<Env>,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return await createApp().fetch(
    new Request(new URL("/register", ORIGIN), {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: JSON.stringify(body),
    }),
    { ...env, ...settings },
  );
}

const metadata = { client_name: "Dynamic", redirect_uris: ["https://dyn.example/cb"] };

describe("dynamic client registration (RFC 7591)", () => {
  it("does not exist while REGISTRATION is closed (the default)", async () => {
    const res = await register({}, metadata);
    expect(res.status).toBe(404);
  });

  it("registers a confidential client when open, with a secret shown once and no caching", async () => {
    const res = await register({ REGISTRATION: "open" }, metadata);
    expect(res.status).toBe(201);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const info = (await res.json()) as Record<string, unknown>;
    expect(info).toMatchObject({
      client_name: "Dynamic",
      redirect_uris: ["https://dyn.example/cb"],
      token_endpoint_auth_method: "client_secret_basic",
      client_secret_expires_at: 0,
    });
    expect(typeof info.client_id).toBe("string");
    expect(typeof info.client_secret).toBe("string");
    // The new client can start an authorization (the login page, not an error page).
    const { url } = await authorizationRequest({
      client_id: info.client_id as string,
      redirect_uri: "https://dyn.example/cb",
      metadata: info as never,
    });
    const page = await createApp().fetch(new Request(new URL(url, ORIGIN)), env);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('name="password"');
  });

  it("answers invalid_redirect_uri for a redirect URI it may not accept", async () => {
    const res = await register({ REGISTRATION: "open" }, { redirect_uris: ["http://evil.example/cb"] });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_redirect_uri" });
  });

  it("answers invalid_client_metadata for other bad metadata", async () => {
    const res = await register(
      { REGISTRATION: "open" },
      { ...metadata, token_endpoint_auth_method: "private_key_jwt" },
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_client_metadata" });
  });

  it("requires the initial access token when REGISTRATION=token", async () => {
    const settings = { REGISTRATION: "token", REGISTRATION_TOKEN: "initial-access-token" };
    const without = await register(settings, metadata);
    expect(without.status).toBe(401);
    expect(without.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
    const wrong = await register(settings, metadata, { Authorization: "Bearer wrong" });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: "invalid_token" });
    const right = await register(settings, metadata, { Authorization: "Bearer initial-access-token" });
    expect(right.status).toBe(201);
  });

  it("advertises the endpoint in metadata only when registration is possible", async () => {
    const meta = async (settings: Partial<Env>) =>
      (await (
        await createApp().fetch(new Request(new URL("/.well-known/oauth-authorization-server", ORIGIN)), {
          ...env,
          ...settings,
        })
      ).json()) as Record<string, unknown>;
    expect((await meta({})).registration_endpoint).toBeUndefined();
    expect((await meta({ REGISTRATION: "open" })).registration_endpoint).toBe(`${ORIGIN}/register`);
  });
});
