import { env } from "cloudflare:workers";
import { createLocalJWKSet, exportJWK, generateKeyPair } from "jose";
import { describe, expect, it } from "vitest";
import { SIGNING_ALGS, getConfig } from "../../src/config";
import { OAuthError } from "../../src/protocol/errors";
import { tokenSigning } from "../../src/oauth/token-signing";
import { issueAccessToken } from "../../src/tokens/access-token";
import { issueIdToken } from "../../src/tokens/id-token";
import { ACCESS_TOKEN_ALGS } from "../../src/protocol/jwt-profile";
import { getSigningKey, getVerificationKeys } from "../../src/storage/keys";
import {
  verifyAccessToken,
  type VerifyAccessTokenOptions,
} from "../../src/tokens/verify-access-token";
import { ORIGIN } from "../helpers/http";
import { signedToken, unsecuredToken, validClaims } from "../helpers/signed-token";

async function options(extra: Partial<VerifyAccessTokenOptions> = {}) {
  return { issuer: ORIGIN, audience: ORIGIN, keys: await getVerificationKeys(env), ...extra };
}

/** The OAuthError a rejected token gives. */
async function rejection(token: string, extra: Partial<VerifyAccessTokenOptions> = {}) {
  const err = await verifyAccessToken(token, await options(extra)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OAuthError);
  return err as OAuthError;
}

async function expectInvalidToken(token: string, extra: Partial<VerifyAccessTokenOptions> = {}) {
  const err = await rejection(token, extra);
  expect(err.error).toBe("invalid_token");
  expect(err.status).toBe(401);
  return err;
}

describe("access token verification (RFC 9068 §4)", () => {
  it("accepts a token Gatehouse issued and returns its subject, client and scopes", async () => {
    const signing = await tokenSigning(env, getConfig(env));
    const { token } = await issueAccessToken(signing.accessTokenKey, signing.accessTokenTtl, {
      issuer: ORIGIN,
      sub: "user-7",
      clientId: "client-7",
      scope: ["openid", "email"],
      audience: [],
      grantId: "g",
    });
    const verified = await verifyAccessToken(token, await options());
    expect(verified).toMatchObject({
      sub: "user-7",
      clientId: "client-7",
      scopes: ["openid", "email"],
    });
  });

  it("accepts tokens signed with each of Gatehouse's algorithms", async () => {
    for (const alg of SIGNING_ALGS) {
      await expect(verifyAccessToken(await signedToken(env, { alg }), await options())).resolves
        .toMatchObject({ sub: "user-1" });
    }
  });

  it("allows exactly the algorithms Gatehouse signs with", () => {
    expect([...ACCESS_TOKEN_ALGS].sort()).toEqual([...SIGNING_ALGS].sort());
  });

  it("rejects a JWT that is not typed at+jwt", async () => {
    await expectInvalidToken(await signedToken(env, { header: { typ: "JWT" } }));
  });

  it("rejects a JWT without typ", async () => {
    await expectInvalidToken(await signedToken(env, { header: { typ: undefined } }));
  });

  it("rejects an ID token presented as an access token", async () => {
    const signing = await tokenSigning(env, getConfig(env));
    const idToken = await issueIdToken(signing.idTokenKey, signing.accessTokenTtl, {
      issuer: ORIGIN,
      sub: "user-1",
      clientId: ORIGIN,
      authTime: Math.floor(Date.now() / 1000),
    });
    await expectInvalidToken(idToken);
  });

  it("rejects a token from another issuer", async () => {
    await expectInvalidToken(await signedToken(env, { claims: { iss: "https://evil.example" } }));
  });

  it("rejects a token for another audience", async () => {
    const err = await expectInvalidToken(
      await signedToken(env, { claims: { aud: "https://other-api.example" } }),
    );
    expect(err.description).toContain("aud");
  });

  it("accepts a token whose audience list contains this resource", async () => {
    const token = await signedToken(env, { claims: { aud: ["https://other.example", ORIGIN] } });
    await expect(verifyAccessToken(token, await options())).resolves.toBeDefined();
  });

  it("rejects an expired token", async () => {
    const now = Math.floor(Date.now() / 1000);
    const err = await expectInvalidToken(
      await signedToken(env, { claims: { iat: now - 3600, exp: now - 600 } }),
    );
    expect(err.description).toMatch(/expired/);
  });

  it("rejects a token whose payload was altered after signing", async () => {
    const token = await signedToken(env);
    const [header, , signature] = token.split(".");
    const forged = await signedToken(env, { claims: { sub: "admin" } });
    const forgedPayload = forged.split(".")[1];
    await expectInvalidToken(`${header}.${forgedPayload}.${signature}`);
  });

  it("rejects a token signed by a foreign key that claims Gatehouse's kid", async () => {
    const { kid } = await getSigningKey(env, "ES256");
    const { privateKey } = await generateKeyPair("ES256");
    await expectInvalidToken(await signedToken(env, { key: { alg: "ES256", kid, privateKey } }));
  });

  it("rejects a token signed with a key the issuer never published", async () => {
    const { privateKey, publicKey } = await generateKeyPair("ES256");
    const key = { alg: "ES256", kid: "unknown-kid", privateKey } as const;
    const token = await signedToken(env, { key });
    await expectInvalidToken(token);
    // The same token verifies against its own key: only the key made the difference.
    const publicJwk = { ...(await exportJWK(publicKey)), kid: "unknown-kid" };
    const own = createLocalJWKSet({ keys: [publicJwk] });
    await expect(verifyAccessToken(token, await options({ keys: own }))).resolves.toBeDefined();
  });

  it('rejects an unsecured token (alg "none")', async () => {
    await expectInvalidToken(unsecuredToken(validClaims()));
  });

  it("rejects a token without one of the claims RFC 9068 §2.2 requires", async () => {
    for (const claim of ["client_id", "jti", "sub", "iat", "exp"]) {
      await expectInvalidToken(await signedToken(env, { claims: { [claim]: undefined } }));
    }
  });

  it("rejects a token whose client_id is not a string", async () => {
    await expectInvalidToken(await signedToken(env, { claims: { client_id: 42 } }));
  });

  it("rejects malformed tokens as invalid_token, never as a server error", async () => {
    for (const garbage of ["garbage", "a.b.c", "eyJhbGciOiJFUzI1NiJ9..", "....", ""]) {
      await expectInvalidToken(garbage);
    }
  });

  it("answers insufficient_scope (403) when a required scope is missing", async () => {
    const token = await signedToken(env, { claims: { scope: "openid profile" } });
    const err = await rejection(token, { requiredScopes: ["openid", "email"] });
    expect(err.error).toBe("insufficient_scope");
    expect(err.status).toBe(403);
    await expect(
      verifyAccessToken(token, await options({ requiredScopes: ["profile"] })),
    ).resolves.toBeDefined();
  });

  it("treats a token without scope as having no scopes", async () => {
    const token = await signedToken(env, { claims: { scope: undefined } });
    expect((await verifyAccessToken(token, await options())).scopes).toEqual([]);
    const err = await rejection(token, { requiredScopes: ["openid"] });
    expect(err.error).toBe("insufficient_scope");
  });
});
