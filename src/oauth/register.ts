import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { timingSafeEqual } from "../crypto/timing-safe";
import type { AppEnv } from "../http/app-env";
import { readBearerToken } from "../http/bearer";
import { jsonBody, jsonObject } from "../http/json-body";
import { NO_STORE } from "../http/on-error";
import { clientInformationResponse, registerClient } from "./client-registration";
import { OAuthError } from "../protocol/errors";

/**
 * Dynamic client registration, RFC 7591 §3, governed by REGISTRATION:
 * "closed" (default): the endpoint does not exist (clients come from the admin API);
 * "open": anyone may register (§3: "open registration");
 * "token": an initial access token (§3, the secret REGISTRATION_TOKEN) is required as a bearer.
 * Whatever registers, users still see the consent page before a new client gets anything.
 */
export const registerRoutes = new Hono<AppEnv>();

const registrationPolicy = createMiddleware<AppEnv>(async (c, next) => {
  const config = c.get("config");
  if (config.registration === "closed") {
    throw new OAuthError("not_found", "Dynamic client registration is not enabled", { status: 404 });
  }
  if (config.registration === "token") {
    const presented = readBearerToken(c);
    const expected = config.registrationToken ?? "";
    if (presented === undefined || !(await timingSafeEqual(presented, expected))) {
      // RFC 7591 §3: an invalid initial access token is answered per RFC 6750 §3.
      throw new OAuthError("invalid_token", "A valid initial access token is required", {
        headers: {
          "WWW-Authenticate":
            presented === undefined
              ? 'Bearer realm="gatehouse-registration"'
              : 'Bearer realm="gatehouse-registration", error="invalid_token"',
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
    const { record, clientSecret } = await registerClient(
      c.get("stores"),
      c.get("config"),
      c.req.valid("json"),
      "self",
    );
    // RFC 7591 §3.2.1: 201 with the client information; it holds a secret, so never cached.
    return c.json(clientInformationResponse(record, clientSecret), 201, NO_STORE);
  },
);
