import { bodyLimit } from "hono/body-limit";
import { OAuthError } from "../protocol/errors";

/** Every body Gatehouse accepts (forms, token requests, client metadata) is a few KiB at most. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * Refuses larger bodies before they are read: 413 `invalid_request`, rendered by the route
 * group (JSON for API endpoints, a page for the browser-facing ones).
 */
export function limitBody() {
  return bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new OAuthError("invalid_request", "The request body is too large", { status: 413 });
    },
  });
}
