/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document-02): a client_id
 * that is an https URL names a document in which the client publishes its own registration.
 * This module checks the URL (§3) and what the document says (§4), and turns it into the
 * ClientRecord every endpoint works with. The fetch, its SSRF guards and the cache are the
 * external store's (src/storage/client-metadata-documents.ts).
 *
 * Such a client is public (token_endpoint_auth_method "none", PKCE) and self-declared: nobody
 * vouches for it, so it is treated like a self-registered client, and its consent is never
 * remembered (src/oauth/native-client.ts).
 */
import { isLocalHostname, type Config } from "../config";
import { fetchClientMetadataDocument, isClientIdUrl } from "../storage/client-metadata-documents";
import type { ClientRecord } from "../storage/clients";
import { OAuthError } from "../protocol/errors";
import { parseClientMetadata } from "./client-metadata";

/**
 * The RFC 7591 §2 fields a document may set. Gatehouse's own extensions (`resources`,
 * `introspection`) are the operator's to grant and are ignored, as any unknown field (§4).
 */
const DOCUMENT_FIELDS = [
  "redirect_uris", "client_name", "client_uri", "logo_uri", "contacts", "grant_types",
  "response_types", "scope",
  // OIDC RP-Initiated Logout §3.1 and Back-Channel Logout §2.2 (src/oauth/logout.ts).
  "post_logout_redirect_uris", "backchannel_logout_uri", "backchannel_logout_session_required",
] as const;

/** §4.1: methods resting on a shared secret, which a published document cannot hold. */
const SHARED_SECRET_METHODS = new Set([
  "client_secret_basic", "client_secret_post", "client_secret_jwt",
]);

function refused(problem: string): OAuthError {
  return new OAuthError("invalid_client", `The client_id URL ${problem}`);
}

/**
 * §3: the client_id URL uses https, has a path, and holds no fragment, no user information and
 * no "." or ".." segments. It must also be written the way a URL parser writes it (lower-case
 * host, no default port), because the document's client_id is compared with it character for
 * character (§4) and a second spelling of one URL would be a second client.
 */
export function clientIdUrlProblem(clientId: string): string | undefined {
  if (!URL.canParse(clientId)) return "is not a valid URL";
  const url = new URL(clientId);
  if (url.protocol !== "https:" && url.protocol !== "http:") return "must use https";
  if (clientId.includes("#")) return "must not contain a fragment";
  if (url.username !== "" || url.password !== "") return "must not contain user information";
  const rawPath = clientId.replace(/^[a-z]+:\/\/[^/?]*/i, "").split("?")[0] ?? "";
  if (/(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i.test(rawPath)) {
    return 'must not contain "." or ".." path segments';
  }
  if (url.pathname === "/" || url.pathname === "") return "must have a path (such as /client.json)";
  if (url.href !== clientId) return `must be written in normal form (${url.href})`;
  return undefined;
}

/**
 * Fetches (or takes from the cache) the client's metadata document and checks it (§4): its
 * client_id is the URL exactly, it names redirect URIs, it holds no secret, and its metadata
 * passes the rules registration applies (src/oauth/client-metadata.ts). Throws OAuthError
 * `invalid_client` saying what is wrong; at the authorization endpoint that is a page, never a
 * redirect, since the client is not established (RFC 6749 §4.1.2.1).
 */
export async function resolveClientMetadataDocument(
  config: Config,
  clientId: string,
): Promise<ClientRecord> {
  const problem = clientIdUrlProblem(clientId);
  if (problem !== undefined) throw refused(problem);
  const document = await fetchClientMetadataDocument(clientId, {
    insecureHosts: config.insecureClientMetadataHosts,
  });
  const invalid = (what: string) =>
    new OAuthError("invalid_client", `The client's metadata document ${what}`);
  // §4: "the client_id property … MUST match the URL of the document using simple string
  // comparison"; otherwise anyone could publish a document claiming another client's identity.
  if (document.client_id !== clientId) {
    throw invalid("names another client_id (it must equal the URL exactly)");
  }
  // §4.1: a document is public, so it can hold no secret.
  if ("client_secret" in document || "client_secret_expires_at" in document) {
    throw invalid("must not contain a client_secret");
  }
  const method = document.token_endpoint_auth_method ?? "none";
  if (typeof method === "string" && SHARED_SECRET_METHODS.has(method)) {
    throw invalid(`uses ${method}, a shared secret, which a metadata document cannot use`);
  }
  if (method !== "none") {
    // private_key_jwt (RFC 7523) is not supported yet: such a client could not authenticate.
    throw invalid('must use token_endpoint_auth_method "none" (the only one supported for it)');
  }
  if (!Array.isArray(document.redirect_uris) || document.redirect_uris.length === 0) {
    throw invalid("must list its redirect_uris");
  }
  const fields: Record<string, unknown> = { token_endpoint_auth_method: "none" };
  for (const field of DOCUMENT_FIELDS) {
    if (field in document) fields[field] = document[field];
  }
  let metadata;
  try {
    metadata = parseClientMetadata(fields, config);
  } catch (err) {
    if (err instanceof OAuthError) throw invalid(`is invalid: ${err.description}`);
    throw err;
  }
  return {
    client_id: clientId,
    client_id_issued_at: Math.floor(Date.now() / 1000),
    metadata,
    // Nobody vouches for it: trusted as little as a client registered through POST /register.
    registered_by: "self",
  };
}

/** What the consent page says about a client identified by its metadata document. */
export interface DocumentClientNotice {
  /** The host that publishes the document: the one thing about the client that is checked. */
  clientHost: string;
  /**
   * Every redirect URI is on a loopback host (RFC 8252 §7.3): the app runs on the user's own
   * computer, where any program could claim to be it.
   */
  runsLocally: boolean;
}

export function documentClientNotice(client: ClientRecord): DocumentClientNotice | undefined {
  if (!isClientIdUrl(client.client_id) || !URL.canParse(client.client_id)) return undefined;
  return {
    clientHost: new URL(client.client_id).host,
    runsLocally: client.metadata.redirect_uris.every(
      (uri) => URL.canParse(uri) && isLocalHostname(new URL(uri).hostname),
    ),
  };
}
