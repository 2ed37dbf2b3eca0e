import { Hono } from "hono/tiny";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { timingSafeEqual } from "../crypto/timing-safe";
import type { AppEnv } from "../http/app-env";
import { readBearerToken } from "../http/bearer";
import { jsonBody, jsonObject } from "../http/json-body";
import { NO_STORE, onJsonError } from "../http/on-error";
import { clientConfigurationRoutes } from "./client-configuration";
import {
  clientInformationResponse,
  registerClient,
  registrationClientUri,
} from "./client-registration";
import { OAuthError } from "../protocol/errors";
import { bearerChallenge } from "../protocol/www-authenticate";

/**
 * Dynamic client registration, RFC 7591 §3, governed by REGISTRATION:
 * "closed" (default): the endpoint does not exist (clients come from the admin API);
 * "open": anyone may register (§3: "open registration");
 * "token": an initial access token (§3, the secret REGISTRATION_TOKEN) is required as a bearer.
 * Whatever registers, users still see the consent page before a new client gets anything.
 * A registered client manages its registration at /register/<client_id> (RFC 7592,
 * ./client-configuration.ts) with the registration access token it is given here.
 */
export const registerRoutes = new Hono<AppEnv>().onError(onJsonError);

const registrationPolicy = createMiddleware<AppEnv>(async (c, next) => {
  const config = c.get("config");
  if (config.registration === "closed") {
    throw new HTTPException(404, { message: "Dynamic client registration is not enabled" });
  }
  if (config.registration === "token") {
    const presented = readBearerToken(c);
    const expected = config.registrationToken ?? "";
    if (presented === undefined || !(await timingSafeEqual(presented, expected))) {
      // RFC 7591 §3: an invalid initial access token is answered per RFC 6750 §3.
      throw new OAuthError("invalid_token", "A valid initial access token is required", {
        headers: {
          "WWW-Authenticate": bearerChallenge({
            realm: "gatehouse-registration",
            ...(presented === undefined ? {} : { error: "invalid_token" }),
          }),
        },
      });
    }
  }
  await next();
});

const ClientMetadataObject = jsonObject("The client metadata");

registerRoutes.post(
  "/register",
  registrationPolicy,
  ...jsonBody(ClientMetadataObject, "invalid_client_metadata"),
  async (c) => {
    const { record, clientSecret, registrationAccessToken } = await registerClient(
      c.get("stores"),
      c.get("config"),
      c.req.valid("json"),
      "self",
    );
    // RFC 7591 §3.2.1, RFC 7592 §3: 201 with the client information and what the client manages
    // its registration with; it holds secrets, so never cached.
    const management =
      registrationAccessToken === undefined
        ? undefined
        : {
            registration_access_token: registrationAccessToken,
            registration_client_uri: registrationClientUri(c.get("issuer"), record.client_id),
          };
    return c.json(clientInformationResponse(record, clientSecret, management), 201, NO_STORE);
  },
);

registerRoutes.route("/", clientConfigurationRoutes);
