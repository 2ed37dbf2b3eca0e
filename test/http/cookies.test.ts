import { describe, expect, it } from "vitest";
import { authorizationRequest, authorizeWithLogin, redirectParams, TestBrowser } from "../helpers/browser";
import { deployment } from "../helpers/deployment";
import { createClient, createUser } from "../helpers/fixtures";

const ISSUER = "https://login.example.com";

describe("cookies on an https issuer", () => {
  it("are Secure, HttpOnly, SameSite=Lax and __Host- prefixed, and recognise a returning user", async () => {
    const client = await createClient();
    const user = await createUser();
    const browser = new TestBrowser(deployment({ ISSUER }));
    const { url } = await authorizationRequest(client);
    const login = await browser.fetch(url);
    const csrf = login.headers.getSetCookie().find((c) => c.startsWith("__Host-gatehouse-csrf="));
    const after = await browser.submit(await login.text(), {
      username: user.username,
      password: user.password,
    });
    const session = after.headers
      .getSetCookie()
      .find((c) => c.startsWith("__Host-gatehouse-session="));
    for (const cookie of [csrf, session]) {
      expect(cookie).toBeDefined();
      expect(cookie).toMatch(/;\s*Secure/i);
      expect(cookie).toMatch(/;\s*HttpOnly/i);
      expect(cookie).toMatch(/;\s*SameSite=Lax/i);
      expect(cookie).toMatch(/;\s*Path=\//i);
      expect(cookie).not.toMatch(/;\s*Domain=/i);
    }
    // Finish the consent, then a new authorization in the same browser needs neither page.
    await browser.submit(await after.text(), { decision: "allow" });
    const again = await browser.fetch((await authorizationRequest(client)).url);
    expect(again.status).toBe(302);
    const params = redirectParams(again, client.redirect_uri);
    expect(params.get("code")).toBeTruthy();
    expect(params.get("iss")).toBe(ISSUER);
  });

  it("an http-named session cookie is ignored on an https issuer", async () => {
    const client = await createClient();
    const user = await createUser();
    // A session minted on plain http (no prefix) must not be accepted where __Host- is required.
    const { browser: plain } = await authorizeWithLogin(client, user);
    const secure = new TestBrowser(deployment({ ISSUER }));
    for (const [name, value] of plain.cookies) secure.cookies.set(name, value);
    const res = await secure.fetch((await authorizationRequest(client)).url);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('name="password"');
  });
});
