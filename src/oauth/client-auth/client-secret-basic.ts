// RFC 6749 §2.3.1: client_secret_basic, the client's id and secret in HTTP Basic (RFC 7617).
import { verifyClientSecret } from "../../storage/clients";
import { type ClientAuthMethod, type ClientAuthRequest, invalidClient } from "./method";

export const clientSecretBasic: ClientAuthMethod<{ clientId: string; secret: string }> = {
  name: "client_secret_basic",
  confidential: true,
  sharedSecret: true,
  // Any Authorization header is an attempt at Basic: the token endpoint knows no other scheme.
  recognises: (request) => request.authorization !== undefined,
  read: readBasic,
  // Constant time, and the same work for an unknown client (verifyClientSecret).
  verify: (credentials, client) => verifyClientSecret(client, credentials.secret),
};

function readBasic({ authorization, params }: ClientAuthRequest): { clientId: string; secret: string } {
  const basic = parseBasic(authorization ?? "");
  // Two identities in one request: neither is authenticated, so the authentication fails
  // (RFC 6749 §5.2 invalid_client, with the Basic challenge since Basic was tried).
  const bodyId = params.get("client_id");
  if (bodyId !== undefined && bodyId !== basic.clientId) throw invalidClient();
  return basic;
}

/**
 * RFC 6749 §2.3.1 (RFC 7617): `Basic base64(id ":" secret)`, where id and secret are each
 * application/x-www-form-urlencoded before being joined (so a ':' in the id is %3A, '+' is a
 * space). Anything malformed is a failed authentication, not a server error.
 */
function parseBasic(authorization: string): { clientId: string; secret: string } {
  const match = /^Basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i.exec(authorization);
  if (!match?.[1]) throw invalidClient();
  let decoded: string;
  try {
    const bytes = Uint8Array.from(atob(match[1]), (ch) => ch.charCodeAt(0));
    decoded = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw invalidClient();
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) throw invalidClient();
  const clientId = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  if (!clientId || !secret) throw invalidClient();
  return { clientId, secret };
}

/** application/x-www-form-urlencoded decoding of one value; undefined when malformed. */
function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}
