/**
 * RFC 7591 §2 client metadata: validation and defaults. Used by the admin API and by dynamic
 * client registration (`POST /register`), so that both accept exactly the same clients.
 */
import * as v from "valibot";
import { jsonObject } from "../http/json-body";
import { isLocalHostname, type Config } from "../config";
import type { ClientMetadata } from "../storage/clients";
import { OAuthError } from "../protocol/errors";
import { CLIENT_AUTH_METHOD_NAMES, CONFIDENTIAL_AUTH_METHOD_NAMES } from "./client-auth";
import { GRANT_TYPE_NAMES } from "./grants";
import { clientCredentials } from "./grants/client-credentials";
import { tokenExchange } from "./grants/token-exchange";

export const DEFAULT_CLIENT_SCOPE = "openid profile email";

/**
 * The grant types with no user and no redirect (RFC 6749 §4.4; RFC 8693): for confidential
 * clients the operator registers (src/oauth/client-registration.ts).
 */
export const MACHINE_GRANT_TYPES: readonly string[] = [
  clientCredentials.grantType,
  tokenExchange.grantType,
];

// Bounds that keep one registration small (dynamic registration is open to the internet).
const MAX_URI_LENGTH = 2000;
const MAX_REDIRECT_URIS = 32;
const MAX_CONTACTS = 16;

/** RFC 6749 §3.3: scope = scope-token *( SP scope-token ), scope-token = 1*NQCHAR. */
const SCOPE_SYNTAX = /^[\x21\x23-\x5B\x5D-\x7E]+(?: [\x21\x23-\x5B\x5D-\x7E]+)*$/;
// RFC 3986 §2: a URI is printable ASCII; whitespace, quotes, backslash and angle brackets are
// not URI characters (and the WHATWG URL parser would silently rewrite some of them).
const URI_CHARACTERS = /^[!#$%&'()*+,\-./0-9:;=?@A-Z[\]_a-z~]+$/;

/** Why a redirect URI cannot be registered, or undefined when it can. */
export function redirectUriProblem(uri: string): string | undefined {
  if (uri.length > MAX_URI_LENGTH) return `is longer than ${MAX_URI_LENGTH} characters`;
  if (!URI_CHARACTERS.test(uri)) return "contains characters that are not allowed in a URI";
  // RFC 6749 §3.1.2: an absolute URI, without a fragment component.
  if (!URL.canParse(uri)) return "is not an absolute URI";
  if (uri.includes("#")) return "must not contain a fragment (RFC 6749 §3.1.2)";
  const url = new URL(uri);
  const scheme = url.protocol.slice(0, -1);
  if (scheme === "https" || scheme === "http") {
    if (!/^https?:\/\/[^/?]/i.test(uri)) return "must have an authority (https://host/...)";
    // RFC 3986 §3.2.1: user information in a URI is deprecated; it has no place in a redirect.
    if (url.username !== "" || url.password !== "") return "must not contain user information";
    // RFC 8252 §7.3, §8.3: plain http only for a loopback interface redirect.
    if (scheme === "http" && !isLocalHostname(url.hostname)) {
      return "may use http only on a loopback host (127.0.0.1, [::1] or localhost)";
    }
    return undefined;
  }
  // RFC 8252 §7.1: a private-use scheme is a reverse domain name such as com.example.app.
  if (scheme.includes(".")) return undefined;
  return "must use https, http on a loopback host, or a private-use scheme such as com.example.app:/cb";
}

const webUri = (field: string) =>
  v.pipe(
    v.string(`${field} must be a string`),
    v.maxLength(MAX_URI_LENGTH, `${field} is longer than ${MAX_URI_LENGTH} characters`),
    v.check(
      (s) => URI_CHARACTERS.test(s) && URL.canParse(s) && /^https?:\/\/[^/?#]/i.test(s),
      `${field} must be an absolute http or https URL`,
    ),
  );

const unique = <T>(items: T[]): T[] => [...new Set(items)];

const RedirectUri = v.pipe(
  v.string("redirect_uris must contain strings"),
  v.check(
    (uri) => redirectUriProblem(uri) === undefined,
    (issue) => `The redirect URI ${String(issue.input)} ${redirectUriProblem(String(issue.input))}`,
  ),
);

const PostLogoutRedirectUri = v.pipe(
  v.string("post_logout_redirect_uris must contain strings"),
  v.check(
    (uri) => redirectUriProblem(uri) === undefined,
    (issue) =>
      `The post-logout redirect URI ${String(issue.input)} ${redirectUriProblem(String(issue.input))}`,
  ),
);

/**
 * OIDC Back-Channel Logout 1.0 §2.2: an absolute URI, https (http only on a loopback host, for
 * local development, as for redirect URIs), no fragment. Gatehouse POSTs logout tokens to it.
 */
export function backchannelLogoutUriProblem(uri: string): string | undefined {
  if (uri.length > MAX_URI_LENGTH) return `is longer than ${MAX_URI_LENGTH} characters`;
  if (!URI_CHARACTERS.test(uri) || !URL.canParse(uri)) return "is not an absolute URI";
  if (uri.includes("#")) return "must not contain a fragment (Back-Channel Logout §2.2)";
  const url = new URL(uri);
  if (!/^https?:\/\/[^/?]/i.test(uri)) return "must be an https URL";
  if (url.username !== "" || url.password !== "") return "must not contain user information";
  if (url.protocol === "http:" && !isLocalHostname(url.hostname)) {
    return "may use http only on a loopback host (127.0.0.1, [::1] or localhost)";
  }
  return undefined;
}

const BackchannelLogoutUri = v.pipe(
  v.string("backchannel_logout_uri must be a string"),
  v.check(
    (uri) => backchannelLogoutUriProblem(uri) === undefined,
    (issue) => `backchannel_logout_uri ${backchannelLogoutUriProblem(String(issue.input))}`,
  ),
);

/** The RFC 7591 §2 fields Gatehouse understands. Unknown fields are dropped (§2: MAY ignore). */
export const ClientMetadataSchema = v.pipe(
  jsonObject("The client metadata"),
  v.object(
    {
      // Required for the authorization code grant (checked below); a client of the machine
      // grants only (client_credentials, token exchange) has no redirect.
      redirect_uris: v.optional(
        v.pipe(
          v.array(RedirectUri, "redirect_uris must be an array of URIs"),
          v.minLength(1, "redirect_uris must contain at least one URI"),
          v.maxLength(MAX_REDIRECT_URIS, `redirect_uris may contain at most ${MAX_REDIRECT_URIS} URIs`),
          v.transform(unique),
        ),
      ),
      client_name: v.optional(
        v.pipe(
          v.string("client_name must be a string"),
          v.trim(),
          v.minLength(1, "client_name must not be empty"),
          v.maxLength(200, "client_name must have at most 200 characters"),
        ),
      ),
      client_uri: v.optional(webUri("client_uri")),
      logo_uri: v.optional(webUri("logo_uri")),
      contacts: v.optional(
        v.pipe(
          v.array(
            v.pipe(v.string("contacts must contain strings"), v.email("contacts must be e-mail addresses")),
            "contacts must be an array of e-mail addresses",
          ),
          v.maxLength(MAX_CONTACTS, `contacts may contain at most ${MAX_CONTACTS} addresses`),
        ),
      ),
      grant_types: v.optional(
        v.pipe(
          v.array(
            // What the token endpoint serves (src/oauth/grants).
            v.picklist(GRANT_TYPE_NAMES, `grant_types may contain only ${GRANT_TYPE_NAMES.join(", ")}`),
            "grant_types must be an array",
          ),
          v.minLength(1, "grant_types must not be empty"),
          v.transform(unique),
        ),
        () => ["authorization_code"],
      ),
      // Gatehouse implements only the authorization code flow (OAuth 2.1 drops the implicit one).
      response_types: v.optional(
        v.pipe(
          v.array(v.literal("code", 'response_types may contain only "code"'), "response_types must be an array"),
          v.minLength(1, "response_types must not be empty"),
          v.transform(unique),
        ),
      ),
      token_endpoint_auth_method: v.optional(
        // What the token endpoint accepts (src/oauth/client-auth).
        v.picklist(
          CLIENT_AUTH_METHOD_NAMES,
          `token_endpoint_auth_method must be one of ${CLIENT_AUTH_METHOD_NAMES.join(", ")}`,
        ),
        "client_secret_basic",
      ),
      scope: v.optional(
        v.pipe(
          v.string("scope must be a string"),
          v.regex(SCOPE_SYNTAX, "scope must be space-separated scope tokens (RFC 6749 §3.3)"),
          v.transform((s) => unique(s.split(" ")).join(" ")),
        ),
        DEFAULT_CLIENT_SCOPE,
      ),
      // Gatehouse extension: narrows the RFC 8707 resources this client may ask for.
      resources: v.optional(
        v.pipe(
          v.array(v.string("resources must contain strings"), "resources must be an array of URIs"),
          v.minLength(1, "resources must not be empty (omit it to allow every resource)"),
          v.transform(unique),
        ),
      ),
      // Gatehouse extension: narrows which access tokens the client may introspect (RFC 7662 §4).
      introspection: v.optional(
        v.picklist(["any", "own"], 'introspection must be "any" or "own"'),
      ),
      // Gatehouse extension: OpenID Connect requests get refresh tokens only with offline_access
      // (OIDC Core §11; src/oauth/refresh-policy.ts).
      require_offline_access: v.optional(
        v.boolean("require_offline_access must be true or false"),
      ),
      // OIDC RP-Initiated Logout 1.0 §3.1: where the user may be sent after logout, matched
      // exactly (src/oauth/logout.ts); validated like redirect URIs.
      post_logout_redirect_uris: v.optional(
        v.pipe(
          v.array(PostLogoutRedirectUri, "post_logout_redirect_uris must be an array of URIs"),
          v.maxLength(MAX_REDIRECT_URIS, `post_logout_redirect_uris may contain at most ${MAX_REDIRECT_URIS} URIs`),
          v.transform(unique),
        ),
      ),
      // OIDC Back-Channel Logout 1.0 §2.2.
      backchannel_logout_uri: v.optional(BackchannelLogoutUri),
      backchannel_logout_session_required: v.optional(
        v.boolean("backchannel_logout_session_required must be a boolean"),
      ),
      // Gatehouse extension: a logout at /logout also revokes the grants issued to this client
      // under the session that ended (src/oauth/session-end.ts).
      logout_revokes_grants: v.optional(v.boolean("logout_revokes_grants must be a boolean")),
    },
    (issue) => `${v.getDotPath(issue) ?? "redirect_uris"} is required`,
  ),
);

/**
 * Validates RFC 7591 §2 client metadata and fills in the defaults. Throws OAuthError
 * `invalid_redirect_uri` or `invalid_client_metadata` (RFC 7591 §3.2.2).
 */
export function parseClientMetadata(input: unknown, config: Config): ClientMetadata {
  const parsed = v.safeParse(ClientMetadataSchema, input);
  if (!parsed.success) throw metadataError(parsed.issues);
  const m = parsed.output;
  const codeGrant = m.grant_types.includes("authorization_code");
  // RFC 7591 §2.1: response type "code" goes with the authorization_code grant type, and
  // refresh tokens come only from it here. Without it a client uses the machine grants only.
  const response_types = m.response_types ?? (codeGrant ? ["code" as const] : []);
  if (!codeGrant && (response_types.length > 0 || !m.grant_types.every((g) => MACHINE_GRANT_TYPES.includes(g)))) {
    throw new OAuthError(
      "invalid_client_metadata",
      'grant_types must include "authorization_code" (the grant of response type "code" and of refresh tokens)',
    );
  }
  // RFC 6749 §3.1.2: the authorization code grant redirects back to the client.
  if (codeGrant && m.redirect_uris === undefined) {
    throw new OAuthError("invalid_redirect_uri", "redirect_uris is required");
  }
  // RFC 6749 §4.4: client credentials "MUST only be used by confidential clients"; a client
  // that acts for others in a token exchange (RFC 8693) must prove who it is as well.
  const machineGrant = m.grant_types.find((g) => MACHINE_GRANT_TYPES.includes(g));
  if (machineGrant !== undefined && !CONFIDENTIAL_AUTH_METHOD_NAMES.includes(m.token_endpoint_auth_method)) {
    throw new OAuthError(
      "invalid_client_metadata",
      `${machineGrant} needs a confidential token_endpoint_auth_method`,
    );
  }
  const unknownResource = m.resources?.find((r) => !config.resources.includes(r));
  if (unknownResource !== undefined) {
    throw new OAuthError(
      "invalid_client_metadata",
      `resources: ${unknownResource} is not a resource of this server`,
    );
  }
  return {
    redirect_uris: m.redirect_uris ?? [],
    ...(m.client_name === undefined ? {} : { client_name: m.client_name }),
    ...(m.client_uri === undefined ? {} : { client_uri: m.client_uri }),
    ...(m.logo_uri === undefined ? {} : { logo_uri: m.logo_uri }),
    ...(m.contacts === undefined ? {} : { contacts: m.contacts }),
    grant_types: m.grant_types,
    response_types,
    token_endpoint_auth_method: m.token_endpoint_auth_method,
    scope: m.scope,
    ...(m.resources === undefined ? {} : { resources: m.resources }),
    ...(m.introspection === undefined ? {} : { introspection: m.introspection }),
    ...(m.require_offline_access === undefined
      ? {}
      : { require_offline_access: m.require_offline_access }),
    ...(m.post_logout_redirect_uris === undefined
      ? {}
      : { post_logout_redirect_uris: m.post_logout_redirect_uris }),
    ...(m.backchannel_logout_uri === undefined
      ? {}
      : { backchannel_logout_uri: m.backchannel_logout_uri }),
    ...(m.backchannel_logout_session_required === undefined
      ? {}
      : { backchannel_logout_session_required: m.backchannel_logout_session_required }),
    ...(m.logout_revokes_grants === undefined ? {} : { logout_revokes_grants: m.logout_revokes_grants }),
  };
}

function metadataError(issues: readonly v.BaseIssue<unknown>[]): OAuthError {
  const issue = issues[0];
  const field = issue === undefined ? null : v.getDotPath(issue);
  // RFC 7591 §3.2.2: invalid_redirect_uri for the redirection URIs, invalid_client_metadata
  // for any other field.
  const code = field?.split(".")[0] === "redirect_uris" ? "invalid_redirect_uri" : "invalid_client_metadata";
  return new OAuthError(code, issue?.message ?? "The client metadata is invalid");
}
