// The grant types' stores (src/oauth/grants/grant-type.ts GrantStores) on this deployment's
// storage and keys: the one place that binds them.
import type { Config } from "../../config";
import { recordClientGrant } from "../../storage/client-grants";
import { getClient } from "../../storage/clients";
import { getGrantStatus, redeemCode, rotateRefreshToken } from "../../storage/grants";
import { getVerificationKeys } from "../../storage/keys";
import { openRefreshToken, sealRefreshToken } from "../../storage/refresh-tokens";
import type { Stores } from "../../storage/stores";
import { getUser } from "../../storage/users";
import { issueTokens } from "../../tokens/issue";
import { readOwnAccessToken } from "../../tokens/own-access-token";
import { openCode } from "../sealed-code";
import { tokenSigning } from "../token-signing";
import type { GrantStores } from "./grant-type";

export function grantStores(stores: Stores, config: Config): GrantStores {
  return {
    users: { get: (sub) => getUser(stores, sub) },
    grants: {
      redeemCode: (input) => redeemCode(stores, input),
      rotateRefreshToken: (sub, input) => rotateRefreshToken(stores, sub, input),
      status: (sub, grantId) => getGrantStatus(stores, sub, grantId),
    },
    clients: { get: (clientId) => getClient(stores, clientId) },
    accessTokens: {
      read: async (token, issuer) =>
        readOwnAccessToken(await getVerificationKeys(stores), token, issuer),
    },
    clientGrants: { record: (entry) => recordClientGrant(stores, entry) },
    codes: { open: (code) => openCode(stores, code) },
    sealedRefreshTokens: {
      seal: (token, graceSeconds) => sealRefreshToken(stores, token, graceSeconds),
      open: (sealed) => openRefreshToken(stores, sealed),
    },
    tokens: {
      // Both keys come from the isolate's cache once loaded: issuing after a commit does no I/O.
      ready: () => tokenSigning(stores, config),
      issue: async (issuance) => issueTokens(await tokenSigning(stores, config), issuance),
    },
  };
}
