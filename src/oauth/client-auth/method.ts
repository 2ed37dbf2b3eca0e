// The shape of a client authentication method (RFC 6749 §2.3; RFC 7591 §2
// token_endpoint_auth_method): one file each under src/oauth/client-auth/, registered once in
// src/oauth/client-auth/index.ts.
import type { Params } from "../../http/params";
import { OAuthError } from "../../protocol/errors";
import type { ClientRecord } from "../../storage/clients";
import type { Clock } from "../clock";

/** What a method may read of a request: no Hono context. */
export interface ClientAuthRequest {
  /** The Authorization header, if any. */
  authorization: string | undefined;
  /** The form body (credentials in the query were refused before: src/http/params.ts). */
  params: Params;
}

/** What a request presented, before anything was looked up: at least the client it names. */
export interface PresentedCredentials {
  clientId: string;
}

/**
 * What verifying may need besides the client's registration. A signed client assertion
 * (private_key_jwt, RFC 7523 §3) must name the issuer or the endpoint as its audience and be
 * within its validity; the client's keys come from its registration (RFC 7591 §2 jwks).
 */
export interface VerificationContext {
  issuer: string;
  /** The URL the request was sent to. */
  endpoint: string;
  clock: Clock;
}

export interface ClientAuthMethod<Credentials extends PresentedCredentials = PresentedCredentials> {
  /** The RFC 7591 §2 `token_endpoint_auth_method` value. */
  readonly name: string;
  /**
   * Whether a client using it proves possession of a credential (RFC 6749 §2.1 confidential
   * client). A public client ("none") only names itself.
   */
  readonly confidential: boolean;
  /**
   * Whether the credential is a client secret that Gatehouse issues at registration (RFC 7591
   * §3.2.1) and keeps as a hash. A wrong one is a guess: such failures are counted by the
   * client-secret throttle (src/auth/failure-throttle.ts), and a locked client is refused first.
   */
  readonly sharedSecret: boolean;
  /**
   * Whether the request carries this method's credentials. A confidential method's decides the
   * method (RFC 6749 §2.3: at most one per request); a public one's (a bare client_id) is used
   * only when no confidential one's is present.
   */
  recognises(request: ClientAuthRequest): boolean;
  /** Reads the credentials; throws `invalidClient()` when they are malformed. */
  read(request: ClientAuthRequest): Credentials;
  /**
   * Checks the credentials against the client's registration. `client` is null when no client
   * has that id: the check must then do the same work and answer false, so that the time taken
   * does not tell which client ids exist.
   */
  verify(credentials: Credentials, client: ClientRecord | null, context: VerificationContext): Promise<boolean>;
}

/** RFC 6749 §5.2: when the client tried the Authorization header, the 401 names the scheme. */
const BASIC_CHALLENGE = { "WWW-Authenticate": 'Basic realm="gatehouse"' };

/**
 * One answer for unknown client, wrong credentials and wrong method: nothing to enumerate.
 * Always 401 with a challenge: RFC 6749 §5.2 requires it after a Basic attempt and allows it
 * otherwise, and RFC 9110 §15.5.2 requires WWW-Authenticate on every 401.
 */
export function invalidClient(): OAuthError {
  return new OAuthError("invalid_client", "Client authentication failed", {
    status: 401,
    headers: BASIC_CHALLENGE,
  });
}

/** RFC 6749 §5.2: "no client authentication included" is invalid_client. */
export function authenticationRequired(): OAuthError {
  return new OAuthError("invalid_client", "Client authentication is required", {
    status: 401,
    headers: BASIC_CHALLENGE,
  });
}
