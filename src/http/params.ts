import type { Context } from "hono";
import { OAuthError } from "../protocol/errors";
import { mediaType } from "./media-type";

/** RFC 8707 §2: `resource` may be sent more than once; every other parameter at most once. */
const MULTI_VALUED = new Set(["resource"]);

/** The parameters of one OAuth request. Empty values count as absent (RFC 6749 §3.1). */
export class Params {
  readonly #pairs: URLSearchParams;

  constructor(pairs: URLSearchParams) {
    // RFC 6749 §3.1, §3.2: "Request and response parameters MUST NOT be included more than once."
    const seen = new Set<string>();
    for (const name of pairs.keys()) {
      if (seen.has(name) && !MULTI_VALUED.has(name)) {
        // The name is echoed only when it is one of the protocol's own (no reflected input).
        const shown = /^[a-z_]{1,32}$/.test(name) ? ` "${name}"` : "";
        throw new OAuthError("invalid_request", `The parameter${shown} is repeated`);
      }
      seen.add(name);
    }
    this.#pairs = pairs;
  }

  get(name: string): string | undefined {
    const value = this.#pairs.get(name);
    return value === null || value === "" ? undefined : value;
  }

  getAll(name: string): string[] {
    return this.#pairs.getAll(name).filter((v) => v !== "");
  }

  /** The parameter, or `invalid_request` naming it. */
  require(name: string): string {
    const value = this.get(name);
    if (value === undefined) {
      throw new OAuthError("invalid_request", `The parameter "${name}" is missing`);
    }
    return value;
  }
}

/**
 * Reads the parameters of an OAuth request: the query string for GET, the
 * application/x-www-form-urlencoded body for POST (RFC 6749 §3.2 requires that media type at
 * the token endpoint; §4.1.1 allows POST at the authorization endpoint). A POST whose query
 * carries a credential is refused (refuseCredentialsInQuery).
 */
export async function readParams(c: Context): Promise<Params> {
  if (c.req.method === "GET" || c.req.method === "HEAD") {
    return new Params(new URL(c.req.url).searchParams);
  }
  refuseCredentialsInQuery(c);
  return new Params(await readFormBody(c));
}

/**
 * Parameters that identify or authenticate a client, or are a secret of the grant: none of them
 * belongs in a request URI, which ends up in logs, proxies and browser history.
 */
const CREDENTIAL_PARAMETERS = [
  "client_id",
  "client_secret",
  "client_assertion",
  "code",
  "code_verifier",
  "refresh_token",
  "token",
  "access_token",
  "password",
];

/**
 * RFC 6749 §2.3.1: client credentials "MUST NOT be included in the request URI"; RFC 6750 §2.3
 * and RFC 9700 §4.3.2 say the same of tokens. Such a request is refused with `invalid_request`
 * rather than served from the body alone: the client is leaking its secrets and should learn it.
 * Other query parameters (a cache-buster, say) are ignored.
 */
export function refuseCredentialsInQuery(c: Context): void {
  const query = new URL(c.req.url).searchParams;
  const leaked = CREDENTIAL_PARAMETERS.find((name) => query.has(name));
  if (leaked !== undefined) {
    throw new OAuthError(
      "invalid_request",
      `The parameter "${leaked}" must not be sent in the request URI (RFC 6749 §2.3.1): send it in the form body`,
    );
  }
}

/**
 * The application/x-www-form-urlencoded body of a POST, as raw pairs (repeats kept); any other
 * media type is an `invalid_request`. Decoded from bytes: the body is not "text" to workerd.
 */
export async function readFormBody(c: Context): Promise<URLSearchParams> {
  if (mediaType(c) !== "application/x-www-form-urlencoded") {
    throw new OAuthError(
      "invalid_request",
      "The request body must be application/x-www-form-urlencoded",
    );
  }
  return new URLSearchParams(new TextDecoder().decode(await c.req.arrayBuffer()));
}
