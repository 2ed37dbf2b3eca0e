import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { cors } from "hono/cors";
import type { Config } from "../config";
import type { AppEnv } from "../http/app-env";
import { onJsonError } from "../http/on-error";
import { ID_TOKEN_ALG } from "../tokens/id-token";
import { getPublicJwks, JWKS_MAX_AGE_SECONDS } from "../storage/keys";
import { CLIENT_AUTH_METHOD_NAMES } from "./client-auth";
import { GRANT_TYPE_NAMES } from "./grants";
import { LANGUAGES } from "../ui/messages";
import { INTROSPECTION_AUTH_METHODS } from "./introspect";
import { OFFLINE_ACCESS } from "./refresh-policy";

/**
 * Authorization server metadata (RFC 8414 §2) that is also an OpenID Provider configuration
 * (OIDC Discovery §3). It lists only what Gatehouse implements: a client that trusts it must
 * never meet an endpoint or a value that does not work.
 */
export function authorizationServerMetadata(issuer: string, config: Config) {
  return {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks.json`,
    // POST /register exists only when dynamic registration is open or token-protected
    // (REGISTRATION); with "closed" clients come from the admin API, so it is not advertised.
    ...(config.registration === "closed" ? {} : { registration_endpoint: `${issuer}/register` }),
    // RFC 7009 §2.1 / RFC 8414 §2: public clients revoke their own tokens with their client_id.
    revocation_endpoint: `${issuer}/revoke`,
    revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHOD_NAMES],
    // RFC 7662 §2.1 / RFC 8414 §2: confidential clients only (src/oauth/introspect.ts).
    introspection_endpoint: `${issuer}/introspect`,
    introspection_endpoint_auth_methods_supported: [...INTROSPECTION_AUTH_METHODS],
    // OIDC Core §5.3, Discovery §3.
    userinfo_endpoint: `${issuer}/userinfo`,
    // OIDC Core §11: offline_access asks for a refresh token (src/oauth/refresh-policy.ts).
    scopes_supported: ["openid", "profile", "email", OFFLINE_ACCESS],
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    // The registries the endpoints dispatch on (src/oauth/grants, src/oauth/client-auth).
    grant_types_supported: [...GRANT_TYPE_NAMES],
    token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHOD_NAMES],
    // OAuth 2.1 §4.1.1: S256 only; "plain" is not offered.
    code_challenge_methods_supported: ["S256"],
    // RFC 9207 §3: every authorization response carries `iss`.
    authorization_response_iss_parameter_supported: true,
    // draft-ietf-oauth-client-id-metadata-document-02 §6: an https client_id names its document.
    client_id_metadata_document_supported: true,
    subject_types_supported: ["public"],
    // ID tokens are always signed with RS256 (ID_TOKEN_ALG), OIDC's default; clients cannot
    // choose another yet, so no other value is advertised.
    id_token_signing_alg_values_supported: [ID_TOKEN_ALG],
    // select_account shows the login page, where any account may sign in.
    prompt_values_supported: ["none", "login", "consent", "select_account"],
    // OIDC Discovery §3: the languages of the pages, for ui_locales (src/ui/messages/).
    ui_locales_supported: Object.keys(LANGUAGES),
    claims_supported: [
      "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "amr",
      "name", "preferred_username", "email",
    ],
    // OIDC RP-Initiated Logout 1.0 §2.1 (src/oauth/logout.ts).
    end_session_endpoint: `${issuer}/logout`,
    // OIDC Back-Channel Logout 1.0 §2.1 (src/oauth/backchannel-logout.ts): logout tokens carry
    // the ended session's `sid` (sessions have ids: src/http/session.ts).
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
  };
}

export const metadataRoutes = new Hono<AppEnv>().onError(onJsonError);

// Browser-based clients read these documents cross-origin; they hold nothing secret.
const publicCors = cors({ origin: "*", allowMethods: ["GET", "HEAD", "OPTIONS"] });

function metadataResponse(c: Context<AppEnv>): Response {
  return c.json(authorizationServerMetadata(c.get("issuer"), c.get("config")), 200, {
    "Cache-Control": "public, max-age=300",
  });
}

// RFC 8414 §3 and OIDC Discovery §4: the same document at both well-known locations.
metadataRoutes.use("/.well-known/oauth-authorization-server", publicCors);
metadataRoutes.use("/.well-known/openid-configuration", publicCors);
metadataRoutes.use("/jwks.json", publicCors);

metadataRoutes.get("/.well-known/oauth-authorization-server", metadataResponse);
metadataRoutes.get("/.well-known/openid-configuration", metadataResponse);

// RFC 7517 §5: public keys only. Cached a little longer than metadata: keys change only by
// rotation, which makes a key sign only after it has been published as "next" for longer than
// this max-age plus an isolate's key cache (src/storage/key-store.ts MIN_PUBLISHED_SECONDS).
metadataRoutes.get("/jwks.json", async (c) =>
  c.json(await getPublicJwks(c.get("stores")), 200, {
    "Cache-Control": `public, max-age=${JWKS_MAX_AGE_SECONDS}`,
  }),
);
