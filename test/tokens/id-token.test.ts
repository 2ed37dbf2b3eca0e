import { env } from "cloudflare:workers";
import { decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { getConfig } from "../../src/config";
import { tokenSigning } from "../../src/oauth/token-signing";
import { accessTokenHash, issueIdToken, type IdTokenClaims } from "../../src/tokens/id-token";
import { getVerificationKeys } from "../../src/storage/keys";
import { ORIGIN } from "../helpers/http";

const base: IdTokenClaims = {
  issuer: ORIGIN,
  sub: "user-1",
  clientId: "client-1",
  authTime: 1_700_000_000,
};

async function verified(token: string) {
  return jwtVerify(token, await getVerificationKeys(env), { issuer: ORIGIN, audience: "client-1" });
}

/** Signs with the ID-token key and the lifetime the configuration chooses, as the grants do. */
async function issue(claims: IdTokenClaims) {
  const signing = await tokenSigning(env, getConfig(env));
  return issueIdToken(signing.idTokenKey, signing.accessTokenTtl, claims);
}

describe("ID tokens (OIDC Core §2)", () => {
  it("are RS256-signed with iss, sub, aud = client_id, iat, exp and auth_time", async () => {
    const token = await issue(base);
    expect(decodeProtectedHeader(token).alg).toBe("RS256");
    const { payload } = await verified(token);
    expect(payload).toMatchObject({
      iss: ORIGIN,
      sub: "user-1",
      aud: "client-1",
      auth_time: 1_700_000_000,
    });
    expect(payload.exp! - payload.iat!).toBe(getConfig(env).accessTokenTtl);
  });

  it("carry the nonce of the authorization request, and none when there was none", async () => {
    const withNonce = await verified(await issue({ ...base, nonce: "n-0S6_WzA2Mj" }));
    expect(withNonce.payload.nonce).toBe("n-0S6_WzA2Mj");
    const without = await verified(await issue(base));
    expect(without.payload).not.toHaveProperty("nonce");
    expect(without.payload).not.toHaveProperty("at_hash");
  });

  it("at_hash is the left half of SHA-256 of the access token (OIDC Core §3.1.3.6)", async () => {
    // The access token and at_hash of OIDC Core Appendix A.3's example.
    const accessToken = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y";
    expect(await accessTokenHash(accessToken)).toBe("77QmUPtjPfzWtF2AnpK9RQ");
    const { payload } = await verified(await issue({ ...base, accessToken }));
    expect(payload.at_hash).toBe("77QmUPtjPfzWtF2AnpK9RQ");
  });

  it("include released standard claims but never let them replace protocol claims", async () => {
    const token = await issue({
      ...base,
      claims: {
        name: "Ada",
        email: "ada@example.com",
        sub: "someone-else",
        aud: "evil",
        nonce: "x",
      },
    });
    const { payload } = await verified(token);
    expect(payload).toMatchObject({ name: "Ada", email: "ada@example.com", sub: "user-1" });
    expect(payload.aud).toBe("client-1");
    expect(payload).not.toHaveProperty("nonce");
  });
});
