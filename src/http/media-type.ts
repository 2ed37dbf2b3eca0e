import type { Context } from "hono";

/** The request's media type, without parameters, lower-cased (RFC 9110 §8.3.1). */
export function mediaType(c: Context): string | undefined {
  return c.req.header("Content-Type")?.split(";")[0]?.trim().toLowerCase();
}
