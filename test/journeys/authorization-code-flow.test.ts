import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { b64u } from "../../src/crypto/encoding";
import { authorizationRequest, authorizeWithLogin, redirectParams, TestBrowser } from "../helpers/browser";
import { basicAuthorization, createClient, createPublicClient, createUser } from "../helpers/fixtures";
import { expectTokenError, expectTokens, refresh } from "../helpers/codes";
import { ORIGIN, postForm, request } from "../helpers/http";

/**
 * The whole authorization code flow as a client application drives it, over HTTP only:
 * metadata → authorize (login, consent) → token → protected API → refresh → protected API.
 */
describe("the authorization code flow end to end", () => {
  it("a confidential client completes the flow, calls the API, refreshes and calls it again", async () => {
    const metadata = (await (await request("/.well-known/oauth-authorization-server")).json()) as Record<string, string>;
    expect(metadata.issuer).toBe(ORIGIN);
    const client = await createClient();
    const user = await createUser({ name: "Ada Lovelace", email: "ada@example.com" });
    const nonce = crypto.randomUUID();
    const { code, verifier } = await authorizeWithLogin(client, user, {
      scope: "openid profile email",
      nonce,
    });

    const tokenRes = await postForm(
      new URL(metadata.token_endpoint as string).pathname,
      { grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: client.redirect_uri },
      { Authorization: basicAuthorization(client.client_id, client.client_secret as string) },
    );
    const tokens = await expectTokens(tokenRes);
    expect(tokens.token_type).toBe("Bearer");
    expect(tokens.scope.split(" ").sort()).toEqual(["email", "openid", "profile"]);
    expect(tokens.refresh_token).toBeTruthy();

    // The access token validates against the published JWKS as RFC 9068 requires.
    const jwks = createLocalJWKSet(await (await request(new URL(metadata.jwks_uri as string).pathname)).json());
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      issuer: ORIGIN,
      typ: "at+jwt",
    });
    expect(protectedHeader.kid).toBeTruthy();
    expect(payload).toMatchObject({ sub: user.sub, client_id: client.client_id });
    expect(typeof payload.jti).toBe("string");

    // The ID token carries the nonce of this authorization request.
    const id = await jwtVerify(tokens.id_token as string, jwks, { issuer: ORIGIN, audience: client.client_id });
    expect(id.payload.nonce).toBe(nonce);
    expect(id.payload.sub).toBe(user.sub);
    expect(decodeProtectedHeader(tokens.id_token as string).alg).toBe("RS256");
    // OIDC Core §3.1.3.6: at_hash is the left half of SHA-256 of the access token returned.
    const digest = new Uint8Array(
      await crypto.subtle.digest("SHA-256", new TextEncoder().encode(tokens.access_token)),
    );
    expect(id.payload.at_hash).toBe(b64u.encode(digest.slice(0, 16)));

    const me = await request("/api/me", { headers: { Authorization: `Bearer ${tokens.access_token}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ sub: user.sub, client_id: client.client_id });

    const refreshed = await expectTokens(await refresh(client, tokens.refresh_token as string));
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    const me2 = await request("/api/me", { headers: { Authorization: `Bearer ${refreshed.access_token}` } });
    expect(me2.status).toBe(200);
  });

  it("a public client completes the flow with PKCE alone", async () => {
    const client = await createPublicClient({ redirect_uris: ["http://127.0.0.1/callback"] });
    const user = await createUser();
    const { code, verifier } = await authorizeWithLogin(client, user, {
      redirectUri: "http://127.0.0.1:61000/callback",
    });
    const res = await postForm("/token", {
      grant_type: "authorization_code",
      client_id: client.client_id,
      code,
      code_verifier: verifier,
      redirect_uri: "http://127.0.0.1:61000/callback",
    });
    expect((await expectTokens(res)).access_token).toBeTruthy();
  });

  it("a code requested without redirect_uri (one registered) is exchanged without it", async () => {
    const client = await createClient();
    const user = await createUser();
    const browser = new TestBrowser();
    const { url, pkce } = await authorizationRequest(client);
    const login = await browser.fetch(url.replace(/&redirect_uri=[^&]*/, ""));
    const consent = await browser.submit(await login.text(), { username: user.username, password: user.password });
    const back = await browser.submit(await consent.text(), { decision: "allow" });
    const code = redirectParams(back, client.redirect_uri).get("code") as string;
    const res = await postForm(
      "/token",
      { grant_type: "authorization_code", code, code_verifier: pkce.verifier },
      { Authorization: basicAuthorization(client.client_id, client.client_secret as string) },
    );
    expect((await expectTokens(res)).access_token).toBeTruthy();
  });

  it("a code from the browser flow is refused when presented twice", async () => {
    const client = await createClient();
    const user = await createUser();
    const { code, verifier } = await authorizeWithLogin(client, user);
    const exchange = () =>
      postForm(
        "/token",
        { grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: client.redirect_uri },
        { Authorization: basicAuthorization(client.client_id, client.client_secret as string) },
      );
    const first = await expectTokens(await exchange());
    await expectTokenError(await exchange(), "invalid_grant");
    // …and the refresh token issued from it is revoked.
    await expectTokenError(await refresh(client, first.refresh_token as string), "invalid_grant");
  });
});

describe("browser-based clients", () => {
  it("may call the token endpoint and the API cross-origin, without credentials", async () => {
    for (const [path, method] of [["/token", "POST"], ["/api/me", "GET"]] as const) {
      const preflight = await request(path, {
        method: "OPTIONS",
        headers: {
          Origin: "https://spa.example",
          "Access-Control-Request-Method": method,
          "Access-Control-Request-Headers": "authorization, content-type",
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get("Access-Control-Allow-Origin")).toBe("*");
      expect(preflight.headers.get("Access-Control-Allow-Credentials")).toBeNull();
    }
  });
});
