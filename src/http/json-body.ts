import { vValidator } from "@hono/valibot-validator";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import type * as v from "valibot";
import type { AppEnv } from "./app-env";
import { OAuthError, type OAuthErrorCode } from "../oauth/errors";

/** Generous for client metadata or a user; bounds what a request can make the Worker parse. */
const MAX_BODY_BYTES = 64 * 1024;

/** Refuses bodies that are not JSON (hono's validator would silently treat them as `{}`). */
const requireJsonMediaType = createMiddleware<AppEnv>(async (c, next) => {
  const type = (c.req.header("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json") {
    throw new OAuthError("invalid_request", "The request body must be application/json");
  }
  await next();
});

const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new OAuthError("invalid_request", "The request body is too large", { status: 413 });
  },
});

/**
 * Middlewares that admit a JSON body valid under `schema`, failing with `code` and the first
 * issue's message. Malformed JSON is hono's HTTPException 400, rendered as invalid_request.
 */
export function jsonBody<S extends v.GenericSchema>(schema: S, code: OAuthErrorCode) {
  return [
    limitBody,
    requireJsonMediaType,
    vValidator("json", schema, (result) => {
      if (!result.success) {
        throw new OAuthError(code, result.issues[0]?.message ?? "The request body is invalid");
      }
    }),
  ] as const;
}
