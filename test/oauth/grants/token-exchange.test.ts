// RFC 8693: token exchange, over HTTP: user tokens from the real flow, clients from the admin API.
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { clientAuth, expectTokenError, expectTokens } from "../../helpers/codes";
import { deployment } from "../../helpers/deployment";
import { type TestClient, createClient } from "../../helpers/fixtures";
import { admin, request } from "../../helpers/http";
import { isActive, postAsClient, userinfoStatus } from "../../helpers/grants";
import { createSelfRegisteredClient, register } from "../../helpers/registration";
import {
  ACCESS_TOKEN_TYPE,
  API,
  CLIENT_CREDENTIALS,
  REPORTS,
  TOKEN_EXCHANGE,
  createMachineClient,
  registerAsOperator,
  tokenAs,
  userTokens,
} from "../../helpers/machine";

const SCOPE = "openid reports:read reports:write";

/** A user's client and a token it holds for API, with the reports scopes. */
async function subjectToken() {
  const client = await createClient({ scope: SCOPE });
  const { user, tokens } = await userTokens(client, { resource: [API], scope: SCOPE });
  return { client, user, tokens, token: tokens.access_token };
}

/** A service that may exchange tokens for REPORTS (its registered resources). */
function exchanger(overrides: Parameters<typeof createMachineClient>[0] = {}) {
  return createMachineClient({ grant_types: [TOKEN_EXCHANGE], resources: [REPORTS], ...overrides });
}

function exchangeAs(client: TestClient, subject: string, extra: Record<string, string | string[]> = {}) {
  return tokenAs(client, {
    grant_type: TOKEN_EXCHANGE,
    subject_token: subject,
    subject_token_type: ACCESS_TOKEN_TYPE,
    resource: REPORTS,
    ...extra,
  });
}

describe("token exchange (RFC 8693)", () => {
  it("issues an access token for the subject, to the acting client, naming it in act (§2.2.1, §4.1)", async () => {
    const { user, token } = await subjectToken();
    const service = await exchanger();
    const res = await exchangeAs(service, token);
    const body = (await expectTokens(res)) as unknown as Record<string, unknown>;
    expect(body).toMatchObject({
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: "Bearer",
      scope: "reports:read reports:write",
    });
    expect(body).not.toHaveProperty("refresh_token");
    expect(body).not.toHaveProperty("id_token");
    const claims = decodeJwt(body.access_token as string);
    expect(claims).toMatchObject({
      sub: user.sub,
      client_id: service.client_id,
      aud: REPORTS,
      scope: "reports:read reports:write",
      act: { sub: `client:${service.client_id}`, client_id: service.client_id },
    });
    expect(claims.act).not.toHaveProperty("act");
    expect(claims.jti).toEqual(expect.any(String));
    // Active at introspection while the user's grant lives, naming the actor (§4.1); no use at
    // /userinfo (not for the issuer).
    const introspected = await postAsClient("/introspect", service, { token: body.access_token as string });
    expect(await introspected.json()).toMatchObject({
      active: true,
      sub: user.sub,
      client_id: service.client_id,
      act: { sub: `client:${service.client_id}`, client_id: service.client_id },
    });
    expect(await userinfoStatus(body.access_token as string)).toBe(401);
  });

  it("takes the target as audience as well as resource", async () => {
    const { token } = await subjectToken();
    const service = await exchanger();
    const res = await tokenAs(service, {
      grant_type: TOKEN_EXCHANGE,
      subject_token: token,
      subject_token_type: ACCESS_TOKEN_TYPE,
      audience: REPORTS,
    });
    expect(decodeJwt((await expectTokens(res)).access_token).aud).toBe(REPORTS);
  });

  it("narrows the audience to what the client registered: invalid_target otherwise (§2.2.2)", async () => {
    const { token } = await subjectToken();
    const service = await exchanger();
    // API is served here, but not among the service's resources.
    await expectTokenError(await exchangeAs(service, token, { resource: API }), "invalid_target");
    await expectTokenError(await exchangeAs(service, token, { resource: [REPORTS, API] }), "invalid_target");
    await expectTokenError(
      await exchangeAs(service, token, { resource: "https://elsewhere.example" }),
      "invalid_target",
    );
    // A token-exchange client must list its audiences: without resources it may exchange for none.
    const unlisted = await createMachineClient({ grant_types: [TOKEN_EXCHANGE] });
    await expectTokenError(await exchangeAs(unlisted, token), "invalid_target");
    // And the target must be named.
    await expectTokenError(
      await tokenAs(service, { grant_type: TOKEN_EXCHANGE, subject_token: token, subject_token_type: ACCESS_TOKEN_TYPE }),
      "invalid_request",
    );
  });

  it("narrows the scope to the subject token's and the client's; never openid", async () => {
    const { token } = await subjectToken();
    const service = await exchanger();
    const narrowed = await expectTokens(await exchangeAs(service, token, { scope: "reports:read" }));
    expect(narrowed.scope).toBe("reports:read");
    expect(decodeJwt(narrowed.access_token).scope).toBe("reports:read");
    await expectTokenError(await exchangeAs(service, token, { scope: "reports:admin" }), "invalid_scope");
    await expectTokenError(await exchangeAs(service, token, { scope: "openid reports:read" }), "invalid_scope");
    // A client registered for less gets less by default, and cannot ask for more.
    const reader = await exchanger({ scope: "reports:read" });
    expect((await expectTokens(await exchangeAs(reader, token))).scope).toBe("reports:read");
    await expectTokenError(await exchangeAs(reader, token, { scope: "reports:write" }), "invalid_scope");
    // A subject token with less gives less, whatever the client registered.
    const client = await createClient({ scope: SCOPE });
    const { tokens } = await userTokens(client, { resource: [API], scope: "openid reports:read" });
    await expectTokenError(await exchangeAs(service, tokens.access_token, { scope: "reports:write" }), "invalid_scope");
  });

  it("nests the earlier actor when the subject token already has one (§4.1)", async () => {
    const { user, token } = await subjectToken();
    const first = await exchanger();
    const second = await exchanger();
    const once = await expectTokens(await exchangeAs(first, token));
    const twice = await expectTokens(await exchangeAs(second, once.access_token));
    expect(decodeJwt(twice.access_token)).toMatchObject({
      sub: user.sub,
      client_id: second.client_id,
      act: {
        sub: `client:${second.client_id}`,
        client_id: second.client_id,
        act: { sub: `client:${first.client_id}`, client_id: first.client_id },
      },
    });
  });

  it("exchanges a client_credentials token: the subject stays the client's sub", async () => {
    const caller = await createMachineClient({ resources: [API] });
    const own = await expectTokens(await tokenAs(caller, { grant_type: CLIENT_CREDENTIALS, resource: API }));
    const service = await exchanger();
    const exchanged = await expectTokens(await exchangeAs(service, own.access_token));
    expect(decodeJwt(exchanged.access_token)).toMatchObject({
      sub: `client:${caller.client_id}`,
      act: { client_id: service.client_id },
    });
    expect(await isActive(exchanged.access_token)).toBe(true);
  });

  it("refuses subject tokens that are not live access tokens of this server with invalid_request (§2.2.2)", async () => {
    const { client, tokens, token } = await subjectToken();
    const service = await exchanger();
    for (const subject of ["garbage", `${token}x`, tokens.refresh_token as string, tokens.id_token as string]) {
      await expectTokenError(await exchangeAs(service, subject), "invalid_request");
    }
    // Expired: a token from a deployment whose tokens live one second.
    const shortLived = deployment({ ACCESS_TOKEN_TTL: "1", RESOURCES: `${API} ${REPORTS}` });
    const caller = await createMachineClient();
    const auth = clientAuth(caller);
    const expiring = await expectTokens(
      await shortLived("/token", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", ...auth.headers },
        body: new URLSearchParams({ grant_type: CLIENT_CREDENTIALS, ...auth.form }),
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await expectTokenError(await exchangeAs(service, expiring.access_token), "invalid_request");
    // Its grant revoked by its own client (RFC 7009): no longer exchangeable.
    expect((await postAsClient("/revoke", client, { token: tokens.refresh_token as string })).status).toBe(200);
    await expectTokenError(await exchangeAs(service, token), "invalid_request");
  });

  it("refuses the subject token of a deleted user", async () => {
    const { user, token } = await subjectToken();
    const service = await exchanger();
    expect((await admin("DELETE", `/users/${user.sub}`)).status).toBe(204);
    await expectTokenError(await exchangeAs(service, token), "invalid_request");
  });

  it("refuses other token types, actor tokens and other requested token types with invalid_request", async () => {
    const { token } = await subjectToken();
    const service = await exchanger();
    const refusals: Record<string, string>[] = [
      { subject_token_type: "urn:ietf:params:oauth:token-type:refresh_token" },
      { subject_token_type: "urn:ietf:params:oauth:token-type:jwt" },
      { actor_token: token, actor_token_type: ACCESS_TOKEN_TYPE },
      { requested_token_type: "urn:ietf:params:oauth:token-type:refresh_token" },
    ];
    for (const extra of refusals) {
      await expectTokenError(await exchangeAs(service, token, extra), "invalid_request");
    }
    await expectTokenError(
      await tokenAs(service, { grant_type: TOKEN_EXCHANGE, subject_token_type: ACCESS_TOKEN_TYPE, resource: REPORTS }),
      "invalid_request",
    );
    await expectTokenError(
      await tokenAs(service, { grant_type: TOKEN_EXCHANGE, subject_token: token, resource: REPORTS }),
      "invalid_request",
    );
  });

  it("ends with the subject's grant, and the acting client cannot end that grant", async () => {
    const { client, tokens, token } = await subjectToken();
    const service = await exchanger();
    const exchanged = (await expectTokens(await exchangeAs(service, token))).access_token;
    // RFC 7009 by the acting client: 200, but the user's grant with another client stands.
    expect((await postAsClient("/revoke", service, { token: exchanged })).status).toBe(200);
    expect(await isActive(token)).toBe(true);
    // The user's client revokes its grant: the exchanged token goes with it.
    expect((await postAsClient("/revoke", client, { token: tokens.refresh_token as string })).status).toBe(200);
    expect(await isActive(exchanged)).toBe(false);
  });

  it("is for the operator's confidential clients registered for it (policy)", async () => {
    const { token } = await subjectToken();
    // Not registered for the grant type.
    const other = await createMachineClient({ resources: [REPORTS] });
    await expectTokenError(await exchangeAs(other, token), "unauthorized_client");
    // A public client cannot be registered for it.
    const publicClient = await registerAsOperator({
      grant_types: [TOKEN_EXCHANGE],
      token_endpoint_auth_method: "none",
    });
    expect(publicClient.status).toBe(400);
    expect(await publicClient.json()).toMatchObject({ error: "invalid_client_metadata" });
    // Nor can a client registering itself; and a self-registered client cannot use it.
    const selfRegistration = await register({
      redirect_uris: ["https://self.example/cb"],
      grant_types: ["authorization_code", TOKEN_EXCHANGE],
    });
    expect(selfRegistration.status).toBe(400);
    expect(await selfRegistration.json()).toMatchObject({ error: "invalid_client_metadata" });
    const self = await createSelfRegisteredClient();
    await expectTokenError(await exchangeAs(self, token), "unauthorized_client");
  });

  it("is advertised with client_credentials, and the client authentication methods are unchanged", async () => {
    const meta = await (await request("/.well-known/oauth-authorization-server")).json<{
      grant_types_supported: string[];
      token_endpoint_auth_methods_supported: string[];
    }>();
    expect(meta.grant_types_supported).toEqual(
      expect.arrayContaining(["authorization_code", "refresh_token", CLIENT_CREDENTIALS, TOKEN_EXCHANGE]),
    );
    expect(meta.token_endpoint_auth_methods_supported).toEqual([
      "client_secret_basic",
      "client_secret_post",
      "none",
    ]);
  });
});
