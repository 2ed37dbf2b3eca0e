import * as v from "valibot";

/**
 * A JSON object (RFC 8259 §4): not null, not an array. Registration metadata (RFC 7591 §3.1) and
 * the admin API's bodies must be one; valibot's object schemas alone would accept arrays.
 */
export const isJsonObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);

/** A schema admitting any JSON object, failing with "<what> must be a JSON object". */
export const jsonObject = (what: string) =>
  v.custom<Record<string, unknown>>(isJsonObject, `${what} must be a JSON object`);
