import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { getConfig } from "../../src/config";
import { tokenSigning } from "../../src/oauth/token-signing";
import { requireAccessToken, type AccessTokenVariables } from "../../src/resource";
import { issueAccessToken } from "../../src/tokens/access-token";
import { getVerificationKeys } from "../../src/storage/keys";
import { ORIGIN, request } from "../helpers/http";
import { signedToken } from "../helpers/signed-token";

function me(authorization?: string) {
  const headers = new Headers();
  if (authorization !== undefined) headers.set("Authorization", authorization);
  return request("/api/me", { headers });
}

async function gatehouseToken(audience: string[] = []) {
  const signing = await tokenSigning(env, getConfig(env));
  const { token } = await issueAccessToken(signing.accessTokenKey, signing.accessTokenTtl, {
    issuer: ORIGIN,
    sub: "user-42",
    clientId: "client-42",
    scope: ["openid", "profile"],
    audience,
    grantId: "grant-42",
  });
  return token;
}

describe("the example API behind requireAccessToken (RFC 6750)", () => {
  it("answers a request with a valid access token with its subject, client and scope", async () => {
    const res = await me(`Bearer ${await gatehouseToken()}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      sub: "user-42",
      client_id: "client-42",
      scope: "openid profile",
    });
  });

  it("accepts the Bearer scheme in any letter case (RFC 9110 §11.1)", async () => {
    expect((await me(`bearer ${await gatehouseToken()}`)).status).toBe(200);
  });

  it("challenges a request without a token with 401 and no error code (§3.1)", async () => {
    const res = await me();
    expect(res.status).toBe(401);
    // RFC 9728 §5.1: the challenge names the API's protected resource metadata.
    expect(res.headers.get("WWW-Authenticate")).toBe(
      `Bearer realm="${ORIGIN}", resource_metadata="${ORIGIN}/.well-known/oauth-protected-resource"`,
    );
  });

  it("treats another authentication scheme as no token (§3.1)", async () => {
    const res = await me("Basic dXNlcjpwYXNz");
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).not.toContain("error=");
  });

  it("answers a garbage token with 401 invalid_token in the challenge and the body", async () => {
    const res = await me("Bearer not-a-jwt");
    expect(res.status).toBe(401);
    const challenge = res.headers.get("WWW-Authenticate") ?? "";
    expect(challenge).toMatch(
      /^Bearer realm="[^"]+", error="invalid_token", error_description="[^"]+", resource_metadata="[^"]+"$/,
    );
    const body = await res.json<{ error: string; error_description: string }>();
    expect(body.error).toBe("invalid_token");
    expect(body.error_description).toBeTruthy();
    expect(res.headers.get("Cache-Control")).toBe("no-store");
  });

  it("answers a malformed Authorization header with 400 invalid_request (§3.1)", async () => {
    for (const header of ["Bearer", "Bearer ", "Bearer a b", "Bearer a,Bearer b"]) {
      const res = await me(header);
      expect(res.status, header).toBe(400);
      expect(res.headers.get("WWW-Authenticate"), header).toContain('error="invalid_request"');
    }
  });

  it("rejects an expired token", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await signedToken(env, { claims: { iat: now - 900, exp: now - 300 } });
    const res = await me(`Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
  });

  it("rejects a token issued for another resource server (RFC 9068 §4)", async () => {
    const res = await me(`Bearer ${await gatehouseToken(["https://files.example"])}`);
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
  });

  it("does not read the access token from the query string (OAuth 2.1 §5.2)", async () => {
    const res = await request(`/api/me?access_token=${await gatehouseToken()}`);
    expect(res.status).toBe(401);
  });
});

describe("requireAccessToken in another Worker's app", () => {
  // Built as a resource server would build it, with a required scope.
  const api = new Hono<{ Variables: AccessTokenVariables }>();
  api.use(
    "/files/*",
    requireAccessToken({
      issuer: ORIGIN,
      audience: "https://files.example",
      keysFor: () => getVerificationKeys(env),
      scopes: ["files.read"],
      realm: "files",
    }),
  );
  api.get("/files/list", (c) => c.json({ sub: c.get("accessToken").sub }));

  const call = (token: string) =>
    api.request("https://files.example/files/list", {
      headers: { Authorization: `Bearer ${token}` },
    });
  const filesToken = (scope: string) =>
    signedToken(env, { claims: { aud: "https://files.example", scope } });

  it("serves a token for its audience with the required scope", async () => {
    const token = await filesToken("files.read");
    const res = await call(token);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: "user-1" });
  });

  it("answers 403 insufficient_scope naming the scope the token lacks (§3.1)", async () => {
    const token = await filesToken("openid");
    const res = await call(token);
    expect(res.status).toBe(403);
    expect(res.headers.get("WWW-Authenticate")).toBe(
      'Bearer realm="files", error="insufficient_scope", ' +
        'error_description="The access token lacks the required scope: files.read", ' +
        'scope="files.read"',
    );
    expect((await res.json<{ error: string }>()).error).toBe("insufficient_scope");
  });

  it("refuses to be set up without exactly one source of keys", () => {
    expect(() => requireAccessToken({ issuer: ORIGIN, audience: ORIGIN })).toThrow(TypeError);
  });
});
