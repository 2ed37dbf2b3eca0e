import { describe, expect, it } from "vitest";
import { OAuthError } from "../../src/protocol/errors";
import { isValidCodeChallenge, isValidCodeVerifier, s256, verifyPkce } from "../../src/oauth/pkce";

// RFC 7636 Appendix B.
const RFC_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const RFC_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

async function pkceError(verifier: string | undefined, challenge: string): Promise<string> {
  try {
    await verifyPkce(verifier, challenge);
  } catch (e) {
    if (e instanceof OAuthError) return e.error;
    throw e;
  }
  return "accepted";
}

describe("PKCE (RFC 7636)", () => {
  it("computes S256 as BASE64URL(SHA256(ASCII(verifier))) (Appendix B)", async () => {
    expect(await s256(RFC_VERIFIER)).toBe(RFC_CHALLENGE);
  });

  it("accepts the verifier whose S256 is the challenge", async () => {
    expect(await pkceError(RFC_VERIFIER, RFC_CHALLENGE)).toBe("accepted");
  });

  it("refuses a verifier that does not match with invalid_grant (§4.6)", async () => {
    const other = `${RFC_VERIFIER.slice(0, -1)}l`;
    expect(await pkceError(other, RFC_CHALLENGE)).toBe("invalid_grant");
  });

  it("refuses the challenge itself presented as verifier (no plain method)", async () => {
    expect(await pkceError(RFC_CHALLENGE, RFC_CHALLENGE)).toBe("invalid_grant");
  });

  it("refuses a missing verifier with invalid_grant: the code was issued with a challenge (§4.6)", async () => {
    expect(await pkceError(undefined, RFC_CHALLENGE)).toBe("invalid_grant");
  });

  it("requires 43 to 128 unreserved characters (§4.1)", () => {
    const unreserved = "azAZ09-._~";
    expect(isValidCodeVerifier("a".repeat(43))).toBe(true);
    expect(isValidCodeVerifier("a".repeat(128))).toBe(true);
    expect(isValidCodeVerifier(unreserved.repeat(5))).toBe(true);
    expect(isValidCodeVerifier("a".repeat(42))).toBe(false);
    expect(isValidCodeVerifier("a".repeat(129))).toBe(false);
    for (const bad of ["+", "/", "=", " ", "%", "é", "\n"]) {
      expect(isValidCodeVerifier(`${"a".repeat(42)}${bad}`)).toBe(false);
    }
  });

  it("refuses a verifier of bad syntax with invalid_request, even when its hash matches", async () => {
    const tooShort = "a".repeat(42);
    expect(await pkceError(tooShort, await s256(tooShort))).toBe("invalid_request");
    const badChar = `${"a".repeat(42)}+`;
    expect(await pkceError(badChar, await s256(badChar))).toBe("invalid_request");
  });

  it("accepts as challenge only a 43-character base64url S256 output", () => {
    expect(isValidCodeChallenge(RFC_CHALLENGE)).toBe(true);
    expect(isValidCodeChallenge(RFC_CHALLENGE.slice(1))).toBe(false);
    expect(isValidCodeChallenge(`${RFC_CHALLENGE}A`)).toBe(false);
    expect(isValidCodeChallenge(`${RFC_CHALLENGE.slice(1)}=`)).toBe(false);
    expect(isValidCodeChallenge(`${RFC_CHALLENGE.slice(1)}+`)).toBe(false);
    expect(isValidCodeChallenge(`${RFC_CHALLENGE.slice(1)}/`)).toBe(false);
  });
});
