// RFC 6749 §4.4: the client credentials grant, over HTTP on a deployment with two resources.
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { expectTokenError, expectTokens } from "../../helpers/codes";
import { admin, request } from "../../helpers/http";
import { createUser } from "../../helpers/fixtures";
import { isActive, postAsClient, userinfoStatus } from "../../helpers/grants";
import { createSelfRegisteredClient, register } from "../../helpers/registration";
import {
  API,
  CLIENT_CREDENTIALS,
  REPORTS,
  createMachineClient,
  registerAsOperator,
  tokenAs,
} from "../../helpers/machine";

const BASE64URL_22 = /^[A-Za-z0-9_-]{22}$/;

describe("client_credentials (RFC 6749 §4.4)", () => {
  it("gives a registered confidential client an RFC 9068 access token about itself, and nothing else", async () => {
    const client = await createMachineClient();
    const tokens = await expectTokens(await tokenAs(client, { grant_type: CLIENT_CREDENTIALS }));
    // §4.4.3: no refresh token; no user, so no ID token.
    expect(tokens).not.toHaveProperty("refresh_token");
    expect(tokens).not.toHaveProperty("id_token");
    expect(tokens).toMatchObject({ token_type: "Bearer", scope: "reports:read reports:write" });
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({
      sub: `client:${client.client_id}`,
      client_id: client.client_id,
      scope: "reports:read reports:write",
      aud: "http://localhost",
    });
    expect(claims.jti).toEqual(expect.any(String));
    // Nothing to revoke it by: it is self-contained and short-lived.
    expect(claims).not.toHaveProperty("grant_id");
  });

  it("uses the confidential methods a client registered: client_secret_post too", async () => {
    const client = await createMachineClient({ token_endpoint_auth_method: "client_secret_post" });
    await expectTokens(await tokenAs(client, { grant_type: CLIENT_CREDENTIALS }));
  });

  it("gives a sub that can never be a user's (RFC 9700 §4.15)", async () => {
    const client = await createMachineClient();
    const user = await createUser();
    // Users' subs and client ids have the same shape; a client's sub does not.
    expect(user.sub).toMatch(BASE64URL_22);
    expect(client.client_id).toMatch(BASE64URL_22);
    const { sub } = decodeJwt(
      (await expectTokens(await tokenAs(client, { grant_type: CLIENT_CREDENTIALS }))).access_token,
    );
    expect(sub).not.toMatch(BASE64URL_22);
    expect(sub).not.toBe(client.client_id);
    // The admin API knows no user by it.
    expect((await admin("GET", `/users/${encodeURIComponent(sub as string)}`)).status).toBe(404);
  });

  it("is refused at /userinfo, which is about users (OIDC Core §5.3)", async () => {
    const client = await createMachineClient({ scope: "openid profile" });
    const tokens = await expectTokens(await tokenAs(client, { grant_type: CLIENT_CREDENTIALS }));
    expect(await userinfoStatus(tokens.access_token)).toBeGreaterThanOrEqual(401);
    expect(await userinfoStatus(tokens.access_token)).toBeLessThan(500);
  });

  it("binds the RFC 8707 resource into the audience, only among the client's resources", async () => {
    const client = await createMachineClient({ resources: [API] });
    const tokens = await expectTokens(
      await tokenAs(client, { grant_type: CLIENT_CREDENTIALS, resource: API }),
    );
    expect(decodeJwt(tokens.access_token).aud).toBe(API);
    await expectTokenError(
      await tokenAs(client, { grant_type: CLIENT_CREDENTIALS, resource: REPORTS }),
      "invalid_target",
    );
    await expectTokenError(
      await tokenAs(client, { grant_type: CLIENT_CREDENTIALS, resource: "https://elsewhere.example" }),
      "invalid_target",
    );
    const both = await createMachineClient();
    const twoAudiences = await expectTokens(
      await tokenAs(both, { grant_type: CLIENT_CREDENTIALS, resource: [API, REPORTS] }),
    );
    expect(decodeJwt(twoAudiences.access_token).aud).toEqual([API, REPORTS]);
  });

  it("limits the scope to the client's registered scope; omitted, it is that scope (RFC 6749 §3.3)", async () => {
    const client = await createMachineClient({ scope: "openid reports:read reports:write" });
    const narrowed = await expectTokens(
      await tokenAs(client, { grant_type: CLIENT_CREDENTIALS, scope: "reports:read" }),
    );
    expect(narrowed.scope).toBe("reports:read");
    expect(decodeJwt(narrowed.access_token).scope).toBe("reports:read");
    await expectTokenError(
      await tokenAs(client, { grant_type: CLIENT_CREDENTIALS, scope: "reports:read admin" }),
      "invalid_scope",
    );
    // openid asks for an ID token about a user; there is none: refused, and left out by default.
    await expectTokenError(
      await tokenAs(client, { grant_type: CLIENT_CREDENTIALS, scope: "openid" }),
      "invalid_scope",
    );
    const byDefault = await expectTokens(await tokenAs(client, { grant_type: CLIENT_CREDENTIALS }));
    expect(byDefault.scope).toBe("reports:read reports:write");
  });

  it("is refused to a client that did not register it (RFC 6749 §5.2 unauthorized_client)", async () => {
    const client = await createMachineClient({
      grant_types: ["authorization_code"],
      redirect_uris: ["https://rp.example/cb"],
    });
    await expectTokenError(await tokenAs(client, { grant_type: CLIENT_CREDENTIALS }), "unauthorized_client");
  });

  it("is refused with invalid_client when the secret is wrong", async () => {
    const client = await createMachineClient();
    await expectTokenError(
      await tokenAs({ ...client, client_secret: "wrong" }, { grant_type: CLIENT_CREDENTIALS }),
      "invalid_client",
      401,
    );
  });

  it("cannot be registered for a public client (RFC 6749 §4.4: confidential clients only)", async () => {
    const res = await registerAsOperator({
      grant_types: [CLIENT_CREDENTIALS],
      token_endpoint_auth_method: "none",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_client_metadata" });
  });

  it("cannot be registered by a client registering itself, and a self-registered client cannot use it", async () => {
    const res = await register({ redirect_uris: ["https://self.example/cb"], grant_types: ["authorization_code", CLIENT_CREDENTIALS] });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_client_metadata" });
    const self = await createSelfRegisteredClient();
    await expectTokenError(await tokenAs(self, { grant_type: CLIENT_CREDENTIALS }), "unauthorized_client");
  });

  it("needs no redirect_uris, and such a client cannot use the authorization endpoint", async () => {
    const client = await createMachineClient();
    expect(client.metadata.redirect_uris).toEqual([]);
    expect(client.metadata.response_types).toEqual([]);
    const res = await request(
      `/authorize?response_type=code&client_id=${client.client_id}&code_challenge=${"x".repeat(43)}&code_challenge_method=S256`,
    );
    expect(res.status).toBe(400);
    expect(res.headers.get("Location")).toBeNull();
  });

  it("is reported active by introspection until it expires, while the client exists (RFC 7662)", async () => {
    const client = await createMachineClient();
    const { access_token } = await expectTokens(await tokenAs(client, { grant_type: CLIENT_CREDENTIALS }));
    const res = await postAsClient("/introspect", client, { token: access_token });
    expect(await res.json()).toMatchObject({
      active: true,
      sub: `client:${client.client_id}`,
      client_id: client.client_id,
    });
    expect(await isActive(access_token)).toBe(true);
    // Not revocable on its own (no grant): 200, and it stands until it expires.
    expect((await postAsClient("/revoke", client, { token: access_token })).status).toBe(200);
    expect(await isActive(access_token)).toBe(true);
    // Its client deleted, it is no longer active.
    expect((await admin("DELETE", `/clients/${client.client_id}`)).status).toBe(204);
    expect(await isActive(access_token)).toBe(false);
  });
});
