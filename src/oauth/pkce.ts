// Proof Key for Code Exchange (RFC 7636), S256 only (OAuth 2.1 §4.1.1, RFC 9700 §2.1.1).
import { sha256 } from "../crypto/hash";
import { timingSafeEqual } from "../crypto/timing-safe";
import { OAuthError } from "../protocol/errors";

/** RFC 7636 §4.1: code-verifier = 43*128unreserved, unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~". */
const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/** RFC 7636 §4.2: an S256 challenge is BASE64URL(32 bytes of SHA-256): 43 characters, no padding. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export function isValidCodeVerifier(verifier: string): boolean {
  return CODE_VERIFIER.test(verifier);
}

/** For the authorization endpoint: the only challenges Gatehouse accepts are S256 outputs. */
export function isValidCodeChallenge(challenge: string): boolean {
  return S256_CHALLENGE.test(challenge);
}

/** RFC 7636 §4.2: code_challenge = BASE64URL-ENCODE(SHA256(ASCII(code_verifier))). */
export const s256 = (verifier: string): Promise<string> => sha256(verifier);

/**
 * RFC 7636 §4.6: the server recomputes the challenge from the verifier and compares it with the
 * one bound to the code. A missing verifier, or one that does not match, is `invalid_grant`; a
 * verifier of bad syntax is `invalid_request` (RFC 7636 §4.1).
 */
export async function verifyPkce(verifier: string | undefined, challenge: string): Promise<void> {
  if (verifier === undefined) {
    // OAuth 2.1 §4.1.3: every code is issued with a challenge, so a request without the verifier
    // cannot prove it; like a wrong verifier, the grant is what fails (RFC 7636 §4.6).
    throw new OAuthError("invalid_grant", 'The parameter "code_verifier" is missing');
  }
  if (!isValidCodeVerifier(verifier)) {
    throw new OAuthError(
      "invalid_request",
      "The code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.1)",
    );
  }
  if (!(await timingSafeEqual(await s256(verifier), challenge))) {
    throw new OAuthError("invalid_grant", "The code_verifier does not match the code_challenge");
  }
}
