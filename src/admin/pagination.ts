import { vValidator } from "@hono/valibot-validator";
import * as v from "valibot";
import { OAuthError } from "../protocol/errors";

/** `?limit=&cursor=` of the list endpoints; KV lists at most 1000 keys per call. */
export const pageQuery = vValidator(
  "query",
  v.object({
    cursor: v.optional(v.pipe(v.string(), v.maxLength(1024, "cursor is too long"))),
    limit: v.optional(
      v.pipe(
        v.string(),
        v.regex(/^[0-9]{1,4}$/, "limit must be a number from 1 to 1000"),
        v.transform(Number),
        v.minValue(1, "limit must be a number from 1 to 1000"),
        v.maxValue(1000, "limit must be a number from 1 to 1000"),
      ),
    ),
  }),
  (result) => {
    if (!result.success) {
      throw new OAuthError("invalid_request", result.issues[0]?.message ?? "Invalid query");
    }
  },
);
