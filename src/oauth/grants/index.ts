// The grant types Gatehouse serves: the one list the token endpoint dispatches on, the metadata
// document advertises (RFC 8414 §2 grant_types_supported) and client registration accepts
// (RFC 7591 §2 grant_types). A new grant type is a file beside these and an entry here.
import { authorizationCode } from "./authorization-code";
import { clientCredentials } from "./client-credentials";
import type { GrantType } from "./grant-type";
import { refreshToken } from "./refresh-token";
import { tokenExchange } from "./token-exchange";

export const GRANT_TYPES: readonly GrantType[] = [
  authorizationCode,
  refreshToken,
  clientCredentials,
  tokenExchange,
];

/** The `grant_type` values, in registry order. */
export const GRANT_TYPE_NAMES: readonly string[] = GRANT_TYPES.map((g) => g.grantType);

/** The grant type registered under `name`, if any. */
export function findGrantType(name: string): GrantType | undefined {
  return GRANT_TYPES.find((g) => g.grantType === name);
}
