// The client authentication methods Gatehouse accepts: the one list the token, revocation and
// introspection endpoints authenticate with, the metadata document advertises (RFC 8414 §2
// *_endpoint_auth_methods_supported) and client registration accepts (RFC 7591 §2
// token_endpoint_auth_method). A new method is a file beside these and an entry here.
import { OAuthError } from "../../protocol/errors";
import type { ClientRecord } from "../../storage/clients";
import { clientSecretBasic } from "./client-secret-basic";
import { clientSecretPost } from "./client-secret-post";
import { type ClientAuthMethod, type ClientAuthRequest, authenticationRequired } from "./method";
import { none } from "./none";

export const CLIENT_AUTH_METHODS: readonly ClientAuthMethod[] = [
  clientSecretBasic,
  clientSecretPost,
  none,
];

/** The `token_endpoint_auth_method` values, in registry order. */
export const CLIENT_AUTH_METHOD_NAMES: readonly string[] = CLIENT_AUTH_METHODS.map((m) => m.name);

/** The methods of confidential clients (RFC 6749 §2.1). */
export const CONFIDENTIAL_AUTH_METHOD_NAMES: readonly string[] = CLIENT_AUTH_METHODS.filter(
  (m) => m.confidential,
).map((m) => m.name);

/** Whether the client registered a method that proves possession of a credential. */
export function isConfidential(client: ClientRecord): boolean {
  return CONFIDENTIAL_AUTH_METHOD_NAMES.includes(client.metadata.token_endpoint_auth_method);
}

/** Whether clients registering `method` are issued a client secret (RFC 7591 §3.2.1). */
export function issuesClientSecret(method: string): boolean {
  return CLIENT_AUTH_METHODS.some((m) => m.name === method && m.sharedSecret);
}

/**
 * The method a request uses: the one confidential method whose credentials it carries, or else
 * the public one when it names a client. RFC 6749 §2.3: the client "MUST NOT use more than one
 * authentication method in each request"; with none at all it is `invalid_client` (§5.2).
 */
export function presentedMethod(
  request: ClientAuthRequest,
  methods: readonly ClientAuthMethod[] = CLIENT_AUTH_METHODS,
): ClientAuthMethod {
  const carried = methods.filter((m) => m.confidential && m.recognises(request));
  if (carried.length > 1) {
    throw new OAuthError(
      "invalid_request",
      "The client used more than one authentication method (RFC 6749 §2.3)",
    );
  }
  const method =
    carried[0] ?? methods.find((m) => !m.confidential && m.recognises(request));
  if (method === undefined) throw authenticationRequired();
  return method;
}
