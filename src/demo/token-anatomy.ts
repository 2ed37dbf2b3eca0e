/**
 * Tokens taken apart for the demo pages: the JOSE header and the claims of a JWT, each claim with
 * what it means and where it is defined. Decoding only (jose's decodeJwt, decodeProtectedHeader);
 * what the demo client verifies is in src/demo/routes.tsx.
 */
import { decodeJwt, decodeProtectedHeader } from "jose";

export interface Claim {
  name: string;
  /** As JSON, with times also as dates. */
  value: string;
  meaning: string;
}

export interface DecodedJwt {
  header: Claim[];
  claims: Claim[];
}

const HEADER_MEANINGS: Record<string, string> = {
  alg:
    "Signature algorithm (RFC 7515 §4.1.1): ES256 for access tokens by default, RS256 for ID " +
    "tokens.",
  kid: "Which key of /jwks.json signed it (RFC 7515 §4.1.4); verifiers pick the public key by it.",
  typ:
    'Token type (RFC 7515 §4.1.9): "at+jwt" marks an access token (RFC 9068 §2.1), so it cannot ' +
    "pass for an ID token.",
};

const CLAIM_MEANINGS: Record<string, string> = {
  iss: "Issuer (RFC 7519 §4.1.1): who made the token. Must equal the issuer the client trusts.",
  sub: "Subject (RFC 7519 §4.1.2): the user, a stable random identifier that never changes.",
  aud:
    "Audience (RFC 7519 §4.1.3): who may accept it. The ID token is for the client (its " +
    "client_id); the access token for the API (here Gatehouse itself, RFC 9068 §3).",
  exp:
    "Expires at (RFC 7519 §4.1.4), seconds since 1970. Access and ID tokens live " +
    "ACCESS_TOKEN_TTL (10 minutes by default).",
  iat: "Issued at (RFC 7519 §4.1.6).",
  nbf: "Not before (RFC 7519 §4.1.5).",
  jti: "Token identifier (RFC 7519 §4.1.7), unique per token.",
  scope:
    "What the token allows (RFC 9068 §2.2.3, RFC 8693 §4.2): the scopes the user consented to.",
  client_id: "The client the token was issued to (RFC 9068 §2.2, RFC 8693 §4.3).",
  auth_time: "When the user actually signed in (OIDC Core §2), which may be earlier than iat.",
  nonce:
    "The value the client sent in the authorization request (OIDC Core §3.1.2.1); the client " +
    "checks it to refuse a replayed ID token.",
  sid: "The Gatehouse session the token came from (OIDC Back-Channel Logout 1.0 §2.4).",
  amr: "How the user authenticated (RFC 8176): pwd = password.",
  acr: "Authentication context class (OIDC Core §2).",
  azp: "Authorized party (OIDC Core §2): the client the ID token was issued to.",
  at_hash: "Hash of the access token (OIDC Core §3.1.3.6), binding the two.",
  name: "The user's name (OIDC Core §5.1, scope profile).",
  preferred_username: "The user's username (OIDC Core §5.1, scope profile).",
  email: "The user's e-mail address (OIDC Core §5.1, scope email).",
  email_verified: "Whether the e-mail address was verified (OIDC Core §5.1).",
  grant_id: "Gatehouse's grant: the consent this token was issued under, which revocation ends.",
};

const TIMES = new Set(["exp", "iat", "nbf", "auth_time"]);

function describe(name: string, value: unknown, meanings: Record<string, string>): Claim {
  const json = JSON.stringify(value);
  const shown =
    TIMES.has(name) && typeof value === "number"
      ? `${json} (${new Date(value * 1000).toISOString()})`
      : json;
  return { name, value: shown, meaning: meanings[name] ?? "" };
}

/** The header and claims of a compact JWS, each explained. Throws on anything else. */
export function decodeToken(token: string): DecodedJwt {
  const header = decodeProtectedHeader(token);
  const payload = decodeJwt(token);
  return {
    header: Object.entries(header).map(([k, v]) => describe(k, v, HEADER_MEANINGS)),
    claims: Object.entries(payload).map(([k, v]) => describe(k, v, CLAIM_MEANINGS)),
  };
}
