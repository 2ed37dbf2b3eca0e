import { env } from "cloudflare:workers";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { expectTokenError, expectTokens, refresh } from "../helpers/codes";
import {
  type TestClient,
  basicAuthorization,
  createClient,
  createPublicClient,
  createUser,
} from "../helpers/fixtures";
import { forgerKey, postAsClient, startGrant } from "../helpers/grants";
import { ORIGIN, admin, postForm, request } from "../helpers/http";
import { createSelfRegisteredClient, register } from "../helpers/registration";
import { signedToken, unsecuredToken, validClaims } from "../helpers/signed-token";

afterEach(() => {
  vi.useRealTimers();
});

/** A resource server: a confidential client that introspects the tokens presented to it. */
let resourceServer: TestClient | undefined;
async function rs(): Promise<TestClient> {
  resourceServer ??= await createClient({ grant_types: ["authorization_code"] });
  return resourceServer;
}

/**
 * POST /introspect as the resource server (or as `caller`); expects 200, not cached, and
 * returns the body. Refresh tokens are introspected by the client they were issued to.
 */
async function introspect(
  token: string,
  extra: Record<string, string> = {},
  caller?: TestClient,
) {
  const res = await postAsClient("/introspect", caller ?? (await rs()), { token, ...extra });
  expect(res.status).toBe(200);
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  return res.json<Record<string, unknown>>();
}

const INACTIVE = { active: false };

describe("token introspection (RFC 7662)", () => {
  it("describes an active access token to an operator client (a resource server)", async () => {
    const { client, user, accessToken } = await startGrant();
    const claims = decodeJwt(accessToken);
    expect(await introspect(accessToken)).toEqual({
      active: true,
      scope: "openid profile email",
      client_id: client.client_id,
      sub: user.sub,
      exp: claims.exp,
      iat: claims.iat,
      iss: ORIGIN,
      aud: ORIGIN,
      token_type: "Bearer",
      jti: claims.jti,
    });
    // The client the token was issued to may ask too.
    const own = await postAsClient("/introspect", client, { token: accessToken });
    expect(await own.json()).toMatchObject({ active: true, client_id: client.client_id });
  });

  it("an access token for another resource (RFC 8707) is active with that audience", async () => {
    const { accessToken } = await startGrant({ code: { resource: ["https://api.example.com"] } });
    expect(await introspect(accessToken)).toMatchObject({
      active: true,
      aud: "https://api.example.com",
    });
  });

  it("describes the grant's current refresh token", async () => {
    const { client, user, refreshToken } = await startGrant();
    const before = Math.floor(Date.now() / 1000);
    const body = await introspect(refreshToken, { token_type_hint: "refresh_token" }, client);
    expect(body).toMatchObject({
      active: true,
      client_id: client.client_id,
      sub: user.sub,
      scope: "openid profile email",
      token_type: "refresh_token",
    });
    // REFRESH_TOKEN_TTL: 30 days from the exchange.
    expect(body.exp).toBeGreaterThanOrEqual(before + 30 * 86_400 - 5);
    expect(body.exp).toBeLessThanOrEqual(before + 30 * 86_400 + 5);
  });

  it("a rotated refresh token is inactive, and asking about it revokes nothing", async () => {
    const { client, refreshToken } = await startGrant();
    const rotated = (await expectTokens(await refresh(client, refreshToken))).refresh_token ?? "";
    expect(await introspect(refreshToken, {}, client)).toEqual(INACTIVE);
    expect(await introspect(rotated, {}, client)).toMatchObject({ active: true });
    await expectTokens(await refresh(client, rotated));
  });

  it("an expired access token is inactive", async () => {
    const { accessToken } = await startGrant();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime((Number(decodeJwt(accessToken).exp) + 1) * 1000);
    expect(await introspect(accessToken)).toEqual(INACTIVE);
  });

  it("an expired refresh token is inactive", async () => {
    const { client, refreshToken } = await startGrant();
    expect(await introspect(refreshToken, {}, client)).toMatchObject({ active: true });
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 31 * 86_400_000);
    expect(await introspect(refreshToken, {}, client)).toEqual(INACTIVE);
  });

  it("a refresh token is described only to the client it was issued to", async () => {
    const { client, refreshToken } = await startGrant();
    expect(await introspect(refreshToken, {}, client)).toMatchObject({ active: true });
    // A resource server (or a thief's own client) learns nothing, and reuse detection is intact.
    expect(await introspect(refreshToken)).toEqual(INACTIVE);
    await expectTokens(await refresh(client, refreshToken));
  });

  it("the tokens of a grant revoked through /revoke are inactive", async () => {
    const { client, accessToken, refreshToken } = await startGrant();
    expect(await introspect(accessToken)).toMatchObject({ active: true });
    const res = await postAsClient("/revoke", client, { token: accessToken });
    expect(res.status).toBe(200);
    expect(await introspect(accessToken)).toEqual(INACTIVE);
    expect(await introspect(refreshToken, {}, client)).toEqual(INACTIVE);
  });

  it("the tokens of a reused refresh token's grant are inactive (RFC 9700 §4.14.2)", async () => {
    const { client, accessToken, refreshToken } = await startGrant();
    const rotated = await expectTokens(await refresh(client, refreshToken));
    // Past the retry grace (REFRESH_TOKEN_REUSE_GRACE), the rotated token coming back is reuse.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 31_000);
    await expectTokenError(await refresh(client, refreshToken), "invalid_grant");
    for (const token of [accessToken, rotated.access_token, rotated.refresh_token ?? ""]) {
      expect(await introspect(token, {}, client)).toEqual(INACTIVE);
    }
  });

  it("a token Gatehouse did not issue, or not as an access token, is inactive", async () => {
    const { accessToken, tokens } = await startGrant();
    const { kid } = decodeProtectedHeader(accessToken);
    const grantId = decodeJwt(accessToken).grant_id;
    const claims = { ...decodeJwt(accessToken) };
    const candidates = {
      garbage: "garbage",
      "made-up refresh token": `${"u".repeat(22)}.${"g".repeat(22)}.${"s".repeat(43)}`,
      "three dots": "a.b.c",
      long: "x".repeat(5000),
      "forged signature": await signedToken(env, { key: await forgerKey(kid ?? ""), claims }),
      "unsecured (alg none)": unsecuredToken(claims),
      "ID token": tokens.id_token ?? "",
      "typ JWT": await signedToken(env, { claims, header: { typ: "JWT" } }),
      "another issuer": await signedToken(env, { claims: { ...claims, iss: "https://evil.example" } }),
      "no grant_id": await signedToken(env, { claims: validClaims() }),
      "unknown grant": await signedToken(env, { claims: { ...validClaims(), grant_id: `${grantId}x` } }),
      "a grant_id that is not a string": await signedToken(env, { claims: { ...claims, grant_id: 42 } }),
    };
    for (const [what, token] of Object.entries(candidates)) {
      expect(await introspect(token), what).toEqual(INACTIVE);
    }
  });

  it("a wrong or unknown token_type_hint is ignored", async () => {
    const { client, accessToken, refreshToken } = await startGrant();
    expect(await introspect(accessToken, { token_type_hint: "refresh_token" })).toMatchObject({
      active: true,
      token_type: "Bearer",
    });
    expect(await introspect(refreshToken, { token_type_hint: "made_up" }, client)).toMatchObject({
      active: true,
      token_type: "refresh_token",
    });
  });

  it("requires client authentication: none, a wrong secret or an unknown client is 401 invalid_client (RFC 7662 §2.3)", async () => {
    const { accessToken: token } = await startGrant();
    const server = await rs();
    const attempts: [Record<string, string>, Record<string, string>][] = [
      [{ token }, {}],
      [{ token }, { Authorization: basicAuthorization(server.client_id, "wrong") }],
      [{ token }, { Authorization: basicAuthorization("no-such-client", "secret") }],
      [{ token, client_id: server.client_id }, {}],
      [{ token }, { Authorization: `Bearer ${token}` }],
    ];
    for (const [form, headers] of attempts) {
      const res = await postForm("/introspect", form, headers);
      await expectTokenError(res, "invalid_client", 401);
      expect(res.headers.get("WWW-Authenticate")).toMatch(/^Basic /);
    }
  });

  it("refuses public clients: a client_id alone proves nothing (RFC 7662 §4)", async () => {
    const client = await createPublicClient({ grant_types: ["authorization_code", "refresh_token"] });
    const { accessToken } = await startGrant({ client });
    const res = await postAsClient("/introspect", client, { token: accessToken });
    await expectTokenError(res, "invalid_client", 401);
  });

  it("a deleted client can no longer introspect", async () => {
    const server = await createClient();
    const { accessToken } = await startGrant();
    expect((await admin("DELETE", `/clients/${server.client_id}`)).status).toBe(204);
    const res = await postAsClient("/introspect", server, { token: accessToken });
    await expectTokenError(res, "invalid_client", 401);
  });

  it("requires the token parameter (invalid_request)", async () => {
    await expectTokenError(await postAsClient("/introspect", await rs(), {}), "invalid_request");
  });

  it("accepts a form body only, by POST only, and never crashes on bad input", async () => {
    const server = await rs();
    const authorization = basicAuthorization(server.client_id, server.client_secret ?? "");
    const json = await request("/introspect", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: authorization },
      body: JSON.stringify({ token: "x" }),
    });
    await expectTokenError(json, "invalid_request", 400);
    const repeated = await postForm(
      "/introspect",
      new URLSearchParams([["token", "a"], ["token", "b"]]),
      { Authorization: authorization },
    );
    await expectTokenError(repeated, "invalid_request", 400);
    const get = await request("/introspect?token=x", { headers: { Authorization: authorization } });
    await expectTokenError(get, "invalid_request", 405);
    expect(get.headers.get("Allow")).toBe("POST");
  });

  it("a deleted user's tokens are inactive", async () => {
    const user = await createUser();
    const { client, accessToken, refreshToken } = await startGrant({ user });
    expect(await introspect(accessToken)).toMatchObject({ active: true });
    expect(await introspect(refreshToken, {}, client)).toMatchObject({ active: true });
    expect((await admin("DELETE", `/users/${user.sub}`)).status).toBe(204);
    expect(await introspect(accessToken)).toEqual(INACTIVE);
    expect(await introspect(refreshToken, {}, client)).toEqual(INACTIVE);
  });
});

describe("who may introspect which token (RFC 7662 §4: no token scanning)", () => {
  it("an operator client (admin API) may introspect any client's access token", async () => {
    const operator = await createClient();
    const { accessToken } = await startGrant();
    expect(await introspect(accessToken, {}, operator)).toMatchObject({ active: true });
  });

  it("a self-registered client learns about its own access tokens only", async () => {
    const self = await createSelfRegisteredClient();
    const own = await startGrant({ client: self });
    expect(await introspect(own.accessToken, {}, self)).toMatchObject({
      active: true,
      client_id: self.client_id,
    });
    // Another client's live token: as if it did not exist.
    const other = await startGrant();
    expect(await introspect(other.accessToken, {}, self)).toEqual(INACTIVE);
    expect(await introspect(other.refreshToken, {}, self)).toEqual(INACTIVE);
    // The same token is active for an operator client: the answer was the policy's.
    expect(await introspect(other.accessToken)).toMatchObject({ active: true });
  });

  it("a self-registered client may introspect a token whose audience names its client_id", async () => {
    const self = await createSelfRegisteredClient();
    // No resource indicator names a client (RFC 8707 §2: an absolute URI), so the token of a
    // live grant is signed again with the client's id added to its audience.
    const started = await startGrant({ code: { resource: ["https://api.example.com"] } });
    const accessToken = await signedToken(env, {
      claims: { ...decodeJwt(started.accessToken), aud: ["https://api.example.com", self.client_id] },
    });
    expect(await introspect(accessToken, {}, self)).toMatchObject({
      active: true,
      aud: ["https://api.example.com", self.client_id],
    });
  });

  it("a resource URI is no proof of identity: a self-registered client cannot see tokens for it", async () => {
    const self = await createSelfRegisteredClient({ client_uri: "https://api.example.com" });
    const { accessToken } = await startGrant({ code: { resource: ["https://api.example.com"] } });
    expect(await introspect(accessToken, {}, self)).toEqual(INACTIVE);
  });

  it('an operator client registered with introspection "own" is narrowed like a self-registered one', async () => {
    const narrowed = await createClient({ introspection: "own" });
    expect(narrowed.metadata.introspection).toBe("own");
    const other = await startGrant();
    expect(await introspect(other.accessToken, {}, narrowed)).toEqual(INACTIVE);
    const own = await startGrant({ client: narrowed });
    expect(await introspect(own.accessToken, {}, narrowed)).toMatchObject({ active: true });
  });

  it('POST /register refuses introspection "any": only the operator grants it', async () => {
    const res = await register({ redirect_uris: ["https://self.example/cb"], introspection: "any" });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_client_metadata" });
    const own = await register({ redirect_uris: ["https://self.example/cb"], introspection: "own" });
    expect(own.status).toBe(201);
  });

  it("a self-registered public client gets the common invalid_client answer", async () => {
    const self = await createSelfRegisteredClient({ token_endpoint_auth_method: "none" });
    const { accessToken } = await startGrant({ client: self });
    const res = await postAsClient("/introspect", self, { token: accessToken });
    await expectTokenError(res, "invalid_client", 401);
    expect(res.headers.get("WWW-Authenticate")).toMatch(/^Basic /);
  });
});
