import type { Config } from "../config";
import type { Stores } from "../storage/stores";

/**
 * Where the authorization group sends its errors once the client and redirect URI are validated
 * (RFC 6749 §4.1.2.1): set by its routes, read by its error handler.
 */
export interface ErrorRedirect {
  /** The validated redirect URI of the authorization request. */
  redirectUri: string;
  state: string | undefined;
  /** 303 after a form POST (the browser must GET the client's URI), 302 otherwise. */
  status: 302 | 303;
}

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
    /** Where authorization errors go, once they may go back to the client. */
    redirectTarget?: ErrorRedirect;
  };
}
