import { vValidator } from "@hono/valibot-validator";
import { createMiddleware } from "hono/factory";
import * as v from "valibot";
import { OAuthError, type OAuthErrorCode } from "../protocol/errors";
import type { AppEnv } from "./app-env";
import { limitBody } from "./body-limit";
import { mediaType } from "./media-type";

/** Refuses bodies that are not JSON (hono's validator would silently treat them as `{}`). */
const requireJsonMediaType = createMiddleware<AppEnv>(async (c, next) => {
  if (mediaType(c) !== "application/json") {
    throw new OAuthError("invalid_request", "The request body must be application/json");
  }
  await next();
});

/**
 * Middlewares that admit a JSON body valid under `schema`, failing with `code` and the first
 * issue's message. Malformed JSON is hono's HTTPException 400, rendered as invalid_request.
 */
export function jsonBody<S extends v.GenericSchema>(schema: S, code: OAuthErrorCode) {
  return [
    limitBody(),
    requireJsonMediaType,
    vValidator("json", schema, (result) => {
      if (!result.success) {
        throw new OAuthError(code, result.issues[0]?.message ?? "The request body is invalid");
      }
    }),
  ] as const;
}

export { isJsonObject, jsonObject } from "../protocol/json-object";
