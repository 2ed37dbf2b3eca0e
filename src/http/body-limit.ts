import { bodyLimit } from "hono/body-limit";
import { OAuthError } from "../protocol/errors";

/** Every body Gatehouse accepts (forms, token requests, client metadata) is a few KiB at most. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * Refuses larger bodies before they are read: 413 `invalid_request`, as JSON for API endpoints
 * or as a page for the browser-facing ones.
 */
export function limitBody(rendering: "json" | "page" = "json") {
  return bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new OAuthError("invalid_request", "The request body is too large", {
        status: 413,
        rendering: { kind: rendering },
      });
    },
  });
}
