import type { Config } from "../config";
import type { Stores } from "../storage/stores";

/** The Hono environment of every Gatehouse route: bindings plus what shared middleware sets. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    config: Config;
    /** Where storage keeps its records (createApp's `stores` option; the bindings by default). */
    stores: Stores;
    /** The issuer identifier for this request (config.issuer or the request origin). */
    issuer: string;
    /** CSP nonce set by hono's secureHeaders (pages use it for their inline style). */
    secureHeadersNonce?: string;
  };
}
