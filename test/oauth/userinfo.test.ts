import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createUser } from "../helpers/fixtures";
import { postAsClient, startGrant } from "../helpers/grants";
import { admin, request } from "../helpers/http";
import { signedToken } from "../helpers/signed-token";

afterEach(() => {
  vi.useRealTimers();
});

function userinfo(token: string | undefined, method = "GET", origin?: string): Promise<Response> {
  return request("/userinfo", {
    method,
    headers: {
      ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
      ...(origin === undefined ? {} : { Origin: origin }),
    },
  });
}

/** RFC 6750 §3.1: the status, a Bearer challenge naming the error, and no caching. */
async function expectBearerError(res: Response, status: number, error: string): Promise<void> {
  expect(res.status).toBe(status);
  expect(res.headers.get("WWW-Authenticate")).toMatch(new RegExp(`^Bearer .*error="${error}"`));
  expect(res.headers.get("Cache-Control")).toBe("no-store");
}

describe("userinfo (OIDC Core §5.3)", () => {
  it("returns sub and the claims of the token's scopes, by GET and by POST", async () => {
    const { user, accessToken } = await startGrant();
    for (const method of ["GET", "POST"]) {
      const res = await userinfo(accessToken, method);
      expect(res.status, method).toBe(200);
      expect(res.headers.get("Cache-Control")).toBe("no-store");
      expect(await res.json()).toEqual({
        sub: user.sub,
        preferred_username: user.username,
        name: "Ada Lovelace",
        email: "ada@example.com",
      });
    }
  });

  it("releases only what the scopes allow (OIDC Core §5.4): openid alone gives sub only", async () => {
    const { user, accessToken } = await startGrant({ code: { scope: ["openid"] } });
    expect(await (await userinfo(accessToken)).json()).toEqual({ sub: user.sub });
    const email = await startGrant({ code: { scope: ["openid", "email"] } });
    expect(await (await userinfo(email.accessToken)).json()).toEqual({
      sub: email.user.sub,
      email: "ada@example.com",
    });
  });

  it("refuses a token without the openid scope: 403 insufficient_scope", async () => {
    const { accessToken } = await startGrant({ code: { scope: ["profile", "email"] } });
    const res = await userinfo(accessToken);
    await expectBearerError(res, 403, "insufficient_scope");
    expect(res.headers.get("WWW-Authenticate")).toContain('scope="openid"');
  });

  it("without a token: 401 with a bare Bearer challenge (RFC 6750 §3.1)", async () => {
    const res = await userinfo(undefined);
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
    expect(res.headers.get("WWW-Authenticate")).not.toContain("error=");
  });

  it("refuses garbage, expired, foreign-audience and grant-less tokens: 401 invalid_token", async () => {
    const { accessToken } = await startGrant();
    const candidates = {
      garbage: "garbage",
      "another audience": await signedToken(env, {
        claims: { ...decodeJwt(accessToken), aud: "https://api.example.com" },
      }),
      // The real user's token without its grant_id: only the grant check can refuse it.
      "no grant_id": await signedToken(env, {
        claims: { ...decodeJwt(accessToken), grant_id: undefined },
      }),
      "unknown grant": await signedToken(env, {
        claims: { ...decodeJwt(accessToken), grant_id: "unknown-grant-id-0000" },
      }),
    };
    for (const [what, token] of Object.entries(candidates)) {
      const res = await userinfo(token);
      expect(res.status, what).toBe(401);
      expect(res.headers.get("WWW-Authenticate"), what).toContain('error="invalid_token"');
    }
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime((Number(decodeJwt(accessToken).exp) + 60) * 1000);
    await expectBearerError(await userinfo(accessToken), 401, "invalid_token");
  });

  it("a deleted user: 401 invalid_token", async () => {
    const user = await createUser();
    const { accessToken } = await startGrant({ user });
    expect((await userinfo(accessToken)).status).toBe(200);
    expect((await admin("DELETE", `/users/${user.sub}`)).status).toBe(204);
    await expectBearerError(await userinfo(accessToken), 401, "invalid_token");
  });

  it("a revoked grant: 401 invalid_token, though the token's signature and expiry are still valid", async () => {
    const { client, accessToken, refreshToken } = await startGrant();
    expect((await userinfo(accessToken)).status).toBe(200);
    expect((await postAsClient("/revoke", client, { token: refreshToken })).status).toBe(200);
    await expectBearerError(await userinfo(accessToken), 401, "invalid_token");
  });

  it("is callable from any origin without credentials (bearer, no cookies)", async () => {
    const { accessToken } = await startGrant();
    const res = await userinfo(accessToken, "GET", "https://spa.example");
    expect(res.status).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(res.headers.get("Access-Control-Allow-Credentials")).toBeNull();
    const preflight = await request("/userinfo", {
      method: "OPTIONS",
      headers: {
        Origin: "https://spa.example",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
      },
    });
    expect(preflight.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(preflight.headers.get("Access-Control-Allow-Headers")?.toLowerCase()).toContain(
      "authorization",
    );
  });
});

/** POST /userinfo with a form body (RFC 6750 §2.2) and optional extra headers. */
function userinfoByForm(
  form: URLSearchParams | Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return request("/userinfo", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(form),
  });
}

describe("userinfo: the access token in a form body (RFC 6750 §2.2)", () => {
  it("accepts access_token in an application/x-www-form-urlencoded POST body", async () => {
    const { user, accessToken } = await startGrant();
    const res = await userinfoByForm({ access_token: accessToken });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sub: user.sub });
  });

  it("refuses a token sent both in the header and in the body: 400 invalid_request (RFC 6750 §2)", async () => {
    const { accessToken } = await startGrant();
    const res = await userinfoByForm(
      { access_token: accessToken },
      { Authorization: `Bearer ${accessToken}` },
    );
    await expectBearerError(res, 400, "invalid_request");
  });

  it("refuses a repeated access_token: 400 invalid_request", async () => {
    const { accessToken } = await startGrant();
    const form = new URLSearchParams([
      ["access_token", accessToken],
      ["access_token", accessToken],
    ]);
    await expectBearerError(await userinfoByForm(form), 400, "invalid_request");
  });

  it("verifies a body token like a header token: garbage is 401 invalid_token", async () => {
    await expectBearerError(await userinfoByForm({ access_token: "garbage" }), 401, "invalid_token");
  });

  it("reads no token from a body of another media type, nor from a GET's query: a bare challenge", async () => {
    const { accessToken } = await startGrant();
    const json = await request("/userinfo", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ access_token: accessToken }),
    });
    const query = await request(`/userinfo?access_token=${accessToken}`);
    for (const res of [json, query]) {
      expect(res.status).toBe(401);
      expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
      expect(res.headers.get("WWW-Authenticate")).not.toContain("error=");
    }
  });
});
