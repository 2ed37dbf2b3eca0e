import { env } from "cloudflare:workers";
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { getConfig, SIGNING_ALGS } from "../../src/config";
import { authorizationServerMetadata } from "../../src/oauth/metadata";
import { ORIGIN, request } from "../helpers/http";
import { signedToken } from "../tokens/signed-token";

type Metadata = Record<string, unknown> & { issuer: string };

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

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
    });
  });

  it("describes what Gatehouse supports", async () => {
    const { body } = await json<Metadata>("/.well-known/oauth-authorization-server");
    expect(body).toMatchObject({
      response_types_supported: ["code"],
      response_modes_supported: ["query"],
      grant_types_supported: ["authorization_code", "refresh_token"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
      code_challenge_methods_supported: ["S256"],
      authorization_response_iss_parameter_supported: true,
      scopes_supported: ["openid", "profile", "email"],
      subject_types_supported: ["public"],
      prompt_values_supported: ["none", "login", "consent"],
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
    });
    expect(body.id_token_signing_alg_values_supported).toContain("RS256");
    expect(body.claims_supported).toEqual(expect.arrayContaining(["sub", "iss", "nonce", "email"]));
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

  it("advertises the registration endpoint only when registration is not closed", () => {
    const open = authorizationServerMetadata(ORIGIN, configFor({ REGISTRATION: "open" }));
    expect(open.registration_endpoint).toBe(`${ORIGIN}/register`);
    const closed = authorizationServerMetadata(ORIGIN, configFor({ REGISTRATION: "closed" }));
    expect(closed).not.toHaveProperty("registration_endpoint");
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

function configFor(vars: Record<string, string>) {
  // getConfig caches per env object: a fresh object gives a fresh parse.
  return getConfig({ ...env, ...vars } as Env);
}
