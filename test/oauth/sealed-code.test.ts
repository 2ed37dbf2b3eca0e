import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { b64u } from "../../src/crypto/encoding";
import { openCode } from "../../src/oauth/sealed-code";
import { authorizeWithLogin } from "../helpers/browser";
import { createClient, createUser } from "../helpers/fixtures";

describe("authorization codes issued by /authorize", () => {
  it("carry 128 random bits of id, live CODE_TTL (60 s), and are bound to the request", async () => {
    const client = await createClient();
    const user = await createUser();
    const nonce = crypto.randomUUID();
    const before = Math.floor(Date.now() / 1000);
    const { code } = await authorizeWithLogin(client, user, { scope: "openid email", nonce });
    const payload = await openCode(env, code);
    expect(b64u.decode(payload.codeId).byteLength).toBeGreaterThanOrEqual(16);
    expect(b64u.decode(payload.grantId).byteLength).toBeGreaterThanOrEqual(16);
    expect(payload.expiresAt - before).toBeGreaterThanOrEqual(60);
    expect(payload.expiresAt - before).toBeLessThanOrEqual(61);
    expect(payload).toMatchObject({
      clientId: client.client_id,
      redirectUri: client.redirect_uri,
      redirectUriProvided: true,
      sub: user.sub,
      scope: ["openid", "email"],
      nonce,
    });
    expect(payload.codeChallenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("are opaque to the browser: nothing of the binding is readable in the code", async () => {
    const client = await createClient();
    const user = await createUser();
    const { code } = await authorizeWithLogin(client, user);
    const parts = code.split(".").map((p) => {
      try {
        return new TextDecoder().decode(b64u.decode(p));
      } catch {
        return "";
      }
    });
    expect(parts.join(" ")).not.toContain(user.sub);
    expect(parts.join(" ")).not.toContain(client.client_id);
  });

  it("are distinct for two authorizations of the same request", async () => {
    const client = await createClient();
    const user = await createUser();
    const first = await authorizeWithLogin(client, user);
    const second = await authorizeWithLogin(client, user);
    const [a, b] = await Promise.all([openCode(env, first.code), openCode(env, second.code)]);
    expect(a.codeId).not.toBe(b.codeId);
    expect(a.grantId).not.toBe(b.grantId);
  });
});
