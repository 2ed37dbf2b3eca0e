// The grant types' stores (src/oauth/grants/grant-type.ts GrantStores) on this deployment's KV,
// Durable Objects and keys: the one place that binds them to the Worker's environment.
import type { Config } from "../../config";
import { recordClientGrant } from "../../storage/client-grants";
import { redeemCode, rotateRefreshToken } from "../../storage/grants";
import { openRefreshToken, sealRefreshToken } from "../../storage/refresh-tokens";
import { getUser } from "../../storage/users";
import { issueTokens } from "../../tokens/issue";
import { getSigningKey } from "../../tokens/keys";
import { openCode } from "../authorization-code";
import type { GrantStores } from "./grant-type";

export function grantStores(env: Env, config: Config): GrantStores {
  return {
    users: { get: (sub) => getUser(env, sub) },
    grants: {
      redeemCode: (input) => redeemCode(env, input),
      rotateRefreshToken: (sub, input) => rotateRefreshToken(env, sub, input),
    },
    clientGrants: { record: (entry) => recordClientGrant(env, entry) },
    codes: { open: (code) => openCode(env, code) },
    sealedRefreshTokens: {
      seal: (token, graceSeconds) => sealRefreshToken(env, token, graceSeconds),
      open: (sealed) => openRefreshToken(env, sealed),
    },
    tokens: {
      ready: () => getSigningKey(env, config.accessTokenAlg),
      issue: (issuance) => issueTokens(env, issuance),
    },
  };
}
