/**
 * The client configuration endpoint (RFC 7592 §2): `/register/<client_id>`, where a client that
 * registered itself through `POST /register` reads (GET), replaces (PUT) and deletes (DELETE)
 * its registration, with the registration access token it was given (§3) as a bearer token.
 *
 * It is served whatever REGISTRATION says: closing registration stops new clients, but a client
 * already registered keeps the credential it was issued, so it can still fix its redirect URIs or
 * delete itself (an update is held to the registration rules, so it gains nothing a new
 * registration could not). Operator clients have no token and are managed by the admin API.
 */
import { Hono } from "hono/tiny";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../http/app-env";
import { readBearerToken } from "../http/bearer";
import { jsonBody, jsonObject } from "../http/json-body";
import { NO_STORE } from "../http/on-error";
import { securityEvent } from "../http/security-events";
import { OAuthError } from "../protocol/errors";
import { bearerChallenge } from "../protocol/www-authenticate";
import { revokeClientGrants } from "../storage/client-grants";
import {
  getClient,
  verifyRegistrationAccessToken,
  type ClientRecord,
} from "../storage/clients";
import {
  clientInformationResponse,
  deleteClientAndGrants,
  registrationClientUri,
  updateClientRegistration,
} from "./client-registration";

/** The route group's environment: AppEnv plus the client the bearer token was checked for. */
interface ConfigurationEnv {
  Bindings: AppEnv["Bindings"];
  Variables: AppEnv["Variables"] & {
    client: ClientRecord;
    /** The registration access token the request presented (RFC 7592 §3). */
    registrationAccessToken: string;
  };
}

const REALM = "gatehouse-registration";

/**
 * RFC 7592 §2: a missing or invalid registration access token, an unknown client and a client
 * without a token all get this one RFC 6750 §3 answer (no error code when no token was sent,
 * §3.1), so the answer does not tell which client ids exist.
 */
function invalidRegistrationToken(presented: boolean): OAuthError {
  return new OAuthError("invalid_token", "A valid registration access token for this client is required", {
    headers: {
      "WWW-Authenticate": bearerChallenge({
        realm: REALM,
        ...(presented ? { error: "invalid_token" } : {}),
      }),
    },
  });
}

/** Admits a request bearing the registration access token of the client in the path. */
const registrationAccess = createMiddleware<ConfigurationEnv>(async (c, next) => {
  const presented = readBearerToken(c);
  if (presented === undefined) throw invalidRegistrationToken(false);
  // The lookup and the constant-time check run for unknown clients too (equal work).
  const record = await getClient(c.get("stores"), c.req.param("client_id") ?? "");
  if (record === null || !(await verifyRegistrationAccessToken(record, presented))) {
    throw invalidRegistrationToken(true);
  }
  c.set("client", record);
  c.set("registrationAccessToken", presented);
  await next();
});

const ClientMetadataObject = jsonObject("The client metadata");

/**
 * Mounted in the registration group (./register.ts), whose handler renders its errors as JSON
 * (onJsonError) with `no-store`.
 */
export const clientConfigurationRoutes = new Hono<ConfigurationEnv>()
  // RFC 7592 §2.1: the current client information, without the secret (it is stored hashed and
  // not rotated on a read).
  .get("/register/:client_id", registrationAccess, (c) =>
    c.json(
      clientInformationResponse(c.get("client"), undefined, {
        registration_access_token: c.get("registrationAccessToken"),
        registration_client_uri: registrationClientUri(c.get("issuer"), c.get("client").client_id),
      }),
      200,
      NO_STORE,
    ),
  )
  // RFC 7592 §2.2: the whole metadata replaced; the answer is the new client information.
  .put(
    "/register/:client_id",
    registrationAccess,
    ...jsonBody(ClientMetadataObject, "invalid_client_metadata"),
    async (c) => {
      const { record, clientSecret, endsGrants } = await updateClientRegistration(
        c.get("stores"),
        c.get("config"),
        c.get("client"),
        c.req.valid("json"),
      );
      securityEvent("registration.updated", { client_id: record.client_id });
      if (endsGrants) {
        // Grants wider than the new registration end (users consent again, to what it allows).
        const count = await revokeClientGrants(c.get("stores"), record.client_id);
        securityEvent("grant.revoked", { client_id: record.client_id, reason: "client_updated", count });
      }
      return c.json(
        clientInformationResponse(record, clientSecret, {
          registration_access_token: c.get("registrationAccessToken"),
          registration_client_uri: registrationClientUri(c.get("issuer"), record.client_id),
        }),
        200,
        NO_STORE,
      );
    },
  )
  // RFC 7592 §2.3: the registration and its token are gone, and the grants end with the client.
  .delete("/register/:client_id", registrationAccess, async (c) => {
    const clientId = c.get("client").client_id;
    await deleteClientAndGrants(c.get("stores"), clientId);
    securityEvent("registration.deleted", { client_id: clientId });
    return c.body(null, 204, NO_STORE);
  });
