import { env } from "cloudflare:workers";
import { decodeJwt, decodeProtectedHeader, generateKeyPair, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { getConfig } from "../../src/config";
import { tokenSigning } from "../../src/oauth/token-signing";
import { issueAccessToken, type AccessTokenClaims } from "../../src/tokens/access-token";
import { getPublicJwks, getVerificationKeys } from "../../src/storage/keys";
import { ORIGIN } from "../helpers/http";

const base: AccessTokenClaims = {
  issuer: ORIGIN,
  sub: "user-1",
  clientId: "client-1",
  scope: ["openid", "profile"],
  audience: [],
  grantId: "grant-1",
};

/** Issues with the key and lifetime the configuration of `e` chooses, as the grants do. */
async function issue(e: Env, claims: AccessTokenClaims) {
  const signing = await tokenSigning(e, getConfig(e));
  return issueAccessToken(signing.accessTokenKey, signing.accessTokenTtl, claims);
}

describe("access tokens (RFC 9068)", () => {
  it("are typed at+jwt and signed with the configured algorithm's current key", async () => {
    const { token } = await issue(env, base);
    const header = decodeProtectedHeader(token);
    expect(header.typ).toBe("at+jwt");
    expect(header.alg).toBe(getConfig(env).accessTokenAlg);
    const jwks = await getPublicJwks(env);
    expect(jwks.keys.find((k) => k.kid === header.kid)?.alg).toBe(header.alg);
    await expect(jwtVerify(token, await getVerificationKeys(env))).resolves.toBeDefined();
  });

  it("carry the RFC 9068 §2.2 claims, with exp = iat + ACCESS_TOKEN_TTL", async () => {
    const { token, expiresIn } = await issue(env, { ...base, authTime: 1_700_000_000 });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      iss: ORIGIN,
      sub: "user-1",
      client_id: "client-1",
      scope: "openid profile",
      auth_time: 1_700_000_000,
      grant_id: "grant-1",
    });
    expect(typeof claims.jti).toBe("string");
    expect(claims.exp! - claims.iat!).toBe(getConfig(env).accessTokenTtl);
    expect(expiresIn).toBe(getConfig(env).accessTokenTtl);
    expect(Math.abs(claims.iat! - Date.now() / 1000)).toBeLessThan(60);
  });

  it("leave auth_time out when it is not known", async () => {
    const { token } = await issue(env, base);
    expect(decodeJwt(token)).not.toHaveProperty("auth_time");
  });

  it("have a unique jti each", async () => {
    const [a, b] = await Promise.all([issue(env, base), issue(env, base)]);
    expect(decodeJwt(a.token).jti).not.toBe(decodeJwt(b.token).jti);
  });

  it("are for the issuer when no resource was requested (RFC 9068 §3)", async () => {
    const { token } = await issue(env, base);
    expect(decodeJwt(token).aud).toBe(ORIGIN);
  });

  it("name one resource as a string and several as an array", async () => {
    const one = await issue(env, { ...base, audience: ["https://api.example"] });
    expect(decodeJwt(one.token).aud).toBe("https://api.example");
    const two = await issue(env, {
      ...base,
      audience: ["https://api.example", "https://files.example"],
    });
    expect(decodeJwt(two.token).aud).toEqual(["https://api.example", "https://files.example"]);
  });

  it("are signed with the key and lifetime passed in, reading no configuration", async () => {
    const { privateKey, publicKey } = await generateKeyPair("ES256");
    const key = { kid: "caller-kid", alg: "ES256" as const, privateKey };
    const { token, expiresIn } = await issueAccessToken(key, 123, base);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: "ES256", kid: "caller-kid" });
    const { payload } = await jwtVerify(token, publicKey);
    expect(payload.exp! - payload.iat!).toBe(123);
    expect(expiresIn).toBe(123);
  });

  it("use RS256 when ACCESS_TOKEN_ALG=RS256", async () => {
    const rsEnv = { ...env, ACCESS_TOKEN_ALG: "RS256" } as Env;
    const { token } = await issue(rsEnv, base);
    expect(decodeProtectedHeader(token).alg).toBe("RS256");
    await expect(jwtVerify(token, await getVerificationKeys(env))).resolves.toBeDefined();
  });
});
