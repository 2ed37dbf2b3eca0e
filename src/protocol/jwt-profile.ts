/**
 * Constants of Gatehouse's JWT access-token profile, shared by the issuer and by resource servers
 * (kept free of imports so src/resource/ can use them from other Workers).
 */

/** RFC 9068 §2.1: access tokens are explicitly typed, so no other JWT is accepted as one (§4). */
export const ACCESS_TOKEN_TYP = "at+jwt";

/** The JWS algorithms Gatehouse signs with (config SIGNING_ALGS); "none" never appears. */
export const ACCESS_TOKEN_ALGS: readonly string[] = ["ES256", "RS256"];
