import type { Config } from "../config";
import { getSigningKey } from "../storage/keys";
import type { Stores } from "../storage/stores";
import type { TokenSigning } from "../tokens/issue";
import { ID_TOKEN_ALG } from "../tokens/id-token";

/**
 * What token issuing needs from the configuration and the key store: the current access-token
 * key (ACCESS_TOKEN_ALG), the ID-token key and the access-token lifetime. Both keys come from
 * the isolate's key cache (one key set, imported once per isolate: DESIGN.md "The hot path"), so
 * this adds no storage call to a request after the isolate's first.
 */
export async function tokenSigning(stores: Stores, config: Config): Promise<TokenSigning> {
  // One after the other: on a cold isolate the first loads the key set and the second finds it
  // cached (two concurrent first loads would each ask the KeyStore).
  const accessTokenKey = await getSigningKey(stores, config.accessTokenAlg);
  const idTokenKey = await getSigningKey(stores, ID_TOKEN_ALG);
  return { accessTokenKey, idTokenKey, accessTokenTtl: config.accessTokenTtl };
}
