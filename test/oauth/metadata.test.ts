import { env } from "cloudflare:workers";
import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  type JSONWebKeySet,
  jwtVerify,
} from "jose";
import { describe, expect, it } from "vitest";
import { SIGNING_ALGS } from "../../src/config";
import {
  authorizationRequest,
  authorizeWithLogin,
  obtainCode,
  redirectParams,
  signedInBrowser,
} from "../helpers/browser";
import { clientAuth, exchangeCode, expectTokenError, expectTokens, refresh } from "../helpers/codes";
import { createClient, createClientUsing, createUser, type TestClient } from "../helpers/fixtures";
import { startGrant } from "../helpers/grants";
import { ORIGIN, postForm, request } from "../helpers/http";
import { signedToken } from "../helpers/signed-token";

type Metadata = Record<string, unknown> & {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  scopes_supported: string[];
  response_types_supported: string[];
  response_modes_supported: string[];
  grant_types_supported: string[];
  token_endpoint_auth_methods_supported: string[];
  revocation_endpoint: string;
  revocation_endpoint_auth_methods_supported: string[];
  introspection_endpoint: string;
  introspection_endpoint_auth_methods_supported: string[];
  userinfo_endpoint: string;
  code_challenge_methods_supported: string[];
  prompt_values_supported: string[];
  id_token_signing_alg_values_supported: string[];
  subject_types_supported: string[];
  claims_supported: string[];
  authorization_response_iss_parameter_supported: boolean;
  request_parameter_supported: boolean;
  request_uri_parameter_supported: boolean;
};

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/** The metadata document as a client discovers it. */
async function discover(): Promise<Metadata> {
  return (await json<Metadata>("/.well-known/openid-configuration")).body;
}

async function json<T>(path: string): Promise<{ res: Response; body: T }> {
  const res = await request(path);
  expect(res.status, path).toBe(200);
  return { res, body: await res.json<T>() };
}

describe("authorization server metadata (RFC 8414, OIDC Discovery)", () => {
  it("names the issuer and endpoints under it", async () => {
    const { body } = await json<Metadata>("/.well-known/oauth-authorization-server");
    expect(body.issuer).toBe(ORIGIN);
    expect(body).toMatchObject({
      authorization_endpoint: `${ORIGIN}/authorize`,
      token_endpoint: `${ORIGIN}/token`,
      jwks_uri: `${ORIGIN}/jwks.json`,
      revocation_endpoint: `${ORIGIN}/revoke`,
      introspection_endpoint: `${ORIGIN}/introspect`,
      userinfo_endpoint: `${ORIGIN}/userinfo`,
    });
  });

  it("does not advertise endpoints that do not exist", async () => {
    const { body } = await json<Metadata>("/.well-known/oauth-authorization-server");
    for (const [name, value] of Object.entries(body)) {
      if (!name.endsWith("_endpoint")) continue;
      const path = new URL(value as string).pathname;
      const res = await request(path, { method: "POST" });
      expect(res.status, `${name} ${path}`).not.toBe(404);
    }
    // Default configuration: REGISTRATION=closed, so no registration endpoint.
    expect(body).not.toHaveProperty("registration_endpoint");
  });

  it("serves the same document as the OpenID Provider configuration", async () => {
    const oauth = await json<Metadata>("/.well-known/oauth-authorization-server");
    const oidc = await json<Metadata>("/.well-known/openid-configuration");
    expect(oidc.body).toEqual(oauth.body);
  });

  it("is readable cross-origin and cacheable", async () => {
    for (const path of ["/.well-known/openid-configuration", "/jwks.json"]) {
      const res = await request(path, { headers: { Origin: "https://app.example" } });
      expect(res.headers.get("Access-Control-Allow-Origin"), path).toBe("*");
      expect(res.headers.get("Cache-Control"), path).toMatch(/^public, max-age=\d+$/);
    }
  });
});

/**
 * RFC 8414 §2 and OIDC Discovery §3: a client configures itself from the metadata alone. Each
 * advertised value is tried against the endpoint it concerns, so an advertisement that does
 * not work (or a refusal that is not advertised as such) fails here.
 */
describe("what the metadata advertises works", () => {
  /** The authorization request for `client` with `params`, sent to the advertised endpoint. */
  async function authorize(
    meta: Metadata,
    client: TestClient,
    params: Record<string, string> = {},
    send: (path: string) => Promise<Response> = request,
  ) {
    const { url, state } = await authorizationRequest(client, { extra: params });
    const res = await send(`${meta.authorization_endpoint}${new URL(url, ORIGIN).search}`);
    return { res, state };
  }

  /** An error redirect to the client (RFC 6749 §4.1.2.1) with `iss` when advertised (RFC 9207). */
  function errorRedirect(meta: Metadata, client: TestClient, res: Response, state: string) {
    const params = redirectParams(res, client.redirect_uri);
    expect(params.get("code")).toBeNull();
    expect(params.get("state")).toBe(state);
    if (meta.authorization_response_iss_parameter_supported) {
      expect(params.get("iss")).toBe(meta.issuer);
    }
    return params.get("error");
  }

  async function expectLoginPage(res: Response, what: string) {
    expect(res.status, what).toBe(200);
    expect(res.headers.get("Content-Type"), what).toMatch(/^text\/html/);
    expect(await res.text(), what).toContain('name="password"');
  }

  it("the authorization endpoint shows the login page for each advertised response_type, response_mode and code_challenge_method", async () => {
    const meta = await discover();
    const client = await createClient();
    for (const response_type of meta.response_types_supported) {
      for (const response_mode of meta.response_modes_supported) {
        for (const code_challenge_method of meta.code_challenge_methods_supported) {
          const { res } = await authorize(meta, client, { response_type, response_mode, code_challenge_method });
          await expectLoginPage(res, `${response_type} ${response_mode} ${code_challenge_method}`);
        }
      }
    }
  });

  it("the authorization endpoint refuses what is not advertised: plain PKCE, response_type=token, response_mode=fragment, request objects", async () => {
    const meta = await discover();
    // OAuth 2.1 §4.1.1: S256 only.
    expect(meta.code_challenge_methods_supported).toEqual(["S256"]);
    expect(meta.response_types_supported).not.toContain("token");
    expect(meta.response_modes_supported).not.toContain("fragment");
    expect(meta.request_parameter_supported).toBe(false);
    expect(meta.request_uri_parameter_supported).toBe(false);
    const client = await createClient();
    // RFC 9700 §4.11.2: errors reach the client once the user is signed in.
    const { browser } = await signedInBrowser();
    const refused: [Record<string, string>, string][] = [
      [{ code_challenge_method: "plain" }, "invalid_request"],
      [{ response_type: "token" }, "unsupported_response_type"],
      [{ response_mode: "fragment" }, "invalid_request"],
      [{ request: "eyJhbGciOiJub25lIn0.e30." }, "request_not_supported"],
      [{ request_uri: "urn:example:request" }, "request_uri_not_supported"],
    ];
    for (const [params, error] of refused) {
      const { res, state } = await authorize(meta, client, params, (p) => browser.fetch(p));
      expect(errorRedirect(meta, client, res, state), JSON.stringify(params)).toBe(error);
    }
  });

  it("the authorization endpoint takes each advertised prompt value, and refuses another", async () => {
    const meta = await discover();
    const client = await createClient();
    for (const prompt of meta.prompt_values_supported) {
      const { res, state } = await authorize(meta, client, { prompt });
      // Without a session: the login page, or for prompt=none an error saying why not
      // (login_required, OIDC Core §3.1.2.6), but never a refusal of the value itself.
      if (res.status === 200) await expectLoginPage(res, prompt);
      else expect(errorRedirect(meta, client, res, state), prompt).not.toBe("invalid_request");
    }
    // "create" (OpenID Connect Prompt Create 1.0): user registration, which Gatehouse has not.
    expect(meta.prompt_values_supported).not.toContain("create");
    const { browser } = await signedInBrowser(); // RFC 9700 §4.11.2: errors after sign-in
    const { res, state } = await authorize(meta, client, { prompt: "create" }, (p) => browser.fetch(p));
    expect(errorRedirect(meta, client, res, state)).toBe("invalid_request");
  });

  it("the token endpoint authenticates a client registered with each advertised token_endpoint_auth_method", async () => {
    const meta = await discover();
    expect(meta.token_endpoint_auth_methods_supported.length).toBeGreaterThan(0);
    for (const method of meta.token_endpoint_auth_methods_supported) {
      const client = await createClientUsing(method);
      const auth = clientAuth(client);
      // A made-up refresh token: invalid_grant once the client is authenticated, where a
      // failed authentication would be invalid_client (RFC 6749 §5.2).
      const res = await postForm(
        meta.token_endpoint,
        { grant_type: "refresh_token", refresh_token: "made-up", ...auth.form },
        auth.headers,
      );
      await expectTokenError(res, "invalid_grant", 400);
    }
  });

  it("the token endpoint takes each advertised grant type, and refuses others with unsupported_grant_type", async () => {
    const meta = await discover();
    const client = await createClient({ grant_types: meta.grant_types_supported });
    const auth = clientAuth(client);
    const tokenRequest = (grant_type: string) =>
      postForm(
        meta.token_endpoint,
        {
          grant_type,
          // Made-up values for the parameters of either grant.
          code: "made-up",
          redirect_uri: client.redirect_uri,
          code_verifier: "v".repeat(43),
          refresh_token: "made-up",
          subject_token: "made-up",
          subject_token_type: "urn:ietf:params:oauth:token-type:access_token",
          ...auth.form,
        },
        auth.headers,
      );
    // Not unsupported_grant_type, unauthorized_client or invalid_client: the grant was accepted
    // and only the made-up code or token refused (RFC 8693 §2.2.2 says invalid_request for a
    // bad subject token); client_credentials needs nothing made up and succeeds.
    const outcome: Record<string, string> = {
      authorization_code: "invalid_grant",
      refresh_token: "invalid_grant",
      client_credentials: "ok",
      "urn:ietf:params:oauth:grant-type:token-exchange": "invalid_request",
    };
    for (const grantType of meta.grant_types_supported) {
      expect(outcome[grantType], `no expectation for ${grantType}`).toBeDefined();
      const res = await tokenRequest(grantType);
      const { error } = await res.json<{ error?: string }>();
      expect(res.status === 200 ? "ok" : error, grantType).toBe(outcome[grantType]);
    }
    for (const grantType of ["password", "urn:ietf:params:oauth:grant-type:device_code"]) {
      expect(meta.grant_types_supported).not.toContain(grantType);
      await expectTokenError(await tokenRequest(grantType), "unsupported_grant_type", 400);
    }
  });

  it("a code for all advertised scopes yields them, and an ID token signed with an advertised alg, verified by jwks_uri, with advertised claims and a public sub", async () => {
    const meta = await discover();
    const keys = createLocalJWKSet((await json<JSONWebKeySet>(meta.jwks_uri)).body);
    const user = await createUser({ name: "Ada Lovelace", email: "ada@example.com" });
    // subject_types_supported ["public"]: every client sees the same sub (OIDC Core §8).
    expect(meta.subject_types_supported).toEqual(["public"]);
    for (let i = 0; i < 2; i++) {
      const client = await createClient({ scope: meta.scopes_supported.join(" ") });
      const minted = await obtainCode(client, user, { scope: meta.scopes_supported, nonce: "n-0S6_WzA2Mj" });
      const tokens = await expectTokens(await exchangeCode(client, minted));
      expect(tokens.scope.split(" ").sort()).toEqual([...meta.scopes_supported].sort());
      const idToken = tokens.id_token ?? "";
      expect(meta.id_token_signing_alg_values_supported).toContain(decodeProtectedHeader(idToken).alg);
      const { payload } = await jwtVerify(idToken, keys, { issuer: meta.issuer, audience: client.client_id });
      expect(Object.keys(payload).filter((claim) => !meta.claims_supported.includes(claim))).toEqual([]);
      expect(payload).toMatchObject({ sub: user.sub, email: "ada@example.com", name: "Ada Lovelace" });
      expect(decodeJwt(tokens.access_token).sub).toBe(user.sub);
    }
  });

  it("the revocation endpoint revokes the tokens of a client registered with each advertised revocation_endpoint_auth_method (RFC 7009)", async () => {
    const meta = await discover();
    expect(meta.revocation_endpoint_auth_methods_supported.length).toBeGreaterThan(0);
    for (const method of meta.revocation_endpoint_auth_methods_supported) {
      const { client, refreshToken } = await startGrant({ client: await createClientUsing(method) });
      const auth = clientAuth(client);
      const res = await postForm(meta.revocation_endpoint, { token: refreshToken, ...auth.form }, auth.headers);
      expect(res.status, method).toBe(200);
      await expectTokenError(await refresh(client, refreshToken), "invalid_grant");
    }
  });

  it("the introspection endpoint answers a client registered with each advertised introspection_endpoint_auth_method, and no other (RFC 7662)", async () => {
    const meta = await discover();
    const { accessToken } = await startGrant();
    const introspectAs = async (client: TestClient) => {
      const auth = clientAuth(client);
      return postForm(meta.introspection_endpoint, { token: accessToken, ...auth.form }, auth.headers);
    };
    expect(meta.introspection_endpoint_auth_methods_supported.length).toBeGreaterThan(0);
    for (const method of meta.introspection_endpoint_auth_methods_supported) {
      const res = await introspectAs(await createClientUsing(method));
      expect(res.status, method).toBe(200);
      expect(await res.json(), method).toMatchObject({ active: true });
    }
    for (const method of meta.token_endpoint_auth_methods_supported) {
      if (meta.introspection_endpoint_auth_methods_supported.includes(method)) continue;
      await expectTokenError(await introspectAs(await createClientUsing(method)), "invalid_client", 401);
    }
  });

  it("the userinfo endpoint returns, for a token of all advertised scopes, only advertised claims", async () => {
    const meta = await discover();
    const client = await createClient({ scope: meta.scopes_supported.join(" ") });
    const { user, accessToken } = await startGrant({ client, code: { scope: meta.scopes_supported } });
    const res = await request(meta.userinfo_endpoint, { headers: { Authorization: `Bearer ${accessToken}` } });
    expect(res.status).toBe(200);
    const claims = await res.json<Record<string, unknown>>();
    expect(claims).toMatchObject({ sub: user.sub, email: "ada@example.com", name: "Ada Lovelace" });
    expect(Object.keys(claims).filter((claim) => !meta.claims_supported.includes(claim))).toEqual([]);
  });

  it("an authorization response carries iss, as authorization_response_iss_parameter_supported says (RFC 9207 §2)", async () => {
    const meta = await discover();
    expect(meta.authorization_response_iss_parameter_supported).toBe(true);
    const { params } = await authorizeWithLogin(await createClient(), await createUser());
    expect(params.get("iss")).toBe(meta.issuer);
  });
});

describe("JWKS", () => {
  it("holds public keys only, with distinct kids and an alg each", async () => {
    const { body } = await json<JSONWebKeySet>("/jwks.json");
    expect(body.keys.length).toBeGreaterThanOrEqual(SIGNING_ALGS.length);
    expect(new Set(body.keys.map((k) => k.kid)).size).toBe(body.keys.length);
    for (const key of body.keys) {
      for (const member of PRIVATE_MEMBERS) expect(key, key.kid).not.toHaveProperty(member);
      expect(key.use).toBe("sig");
      expect(SIGNING_ALGS).toContain(key.alg);
    }
  });

  it("verifies a token signed with each of its algorithms", async () => {
    const { body } = await json<JSONWebKeySet>("/jwks.json");
    const keys = createLocalJWKSet(body);
    for (const alg of new Set(body.keys.map((k) => k.alg))) {
      const token = await signedToken(env, { alg: alg as (typeof SIGNING_ALGS)[number] });
      const { protectedHeader } = await jwtVerify(token, keys);
      expect(protectedHeader.alg).toBe(alg);
      expect(body.keys.find((k) => k.kid === decodeProtectedHeader(token).kid)?.alg).toBe(alg);
    }
  });
});
