import type { Config } from "../config";

/** The Hono environment of every Gatehouse route: bindings plus what shared middleware sets. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    config: Config;
    /** The issuer identifier for this request (config.issuer or the request origin). */
    issuer: string;
    /** CSP nonce set by hono's secureHeaders (pages use it for their inline style). */
    secureHeadersNonce?: string;
  };
}
