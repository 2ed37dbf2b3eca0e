import type { Context } from "hono";

/** The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1), if there is one. */
export function readBearerToken(c: Context): string | undefined {
  return /^Bearer +(\S+) *$/i.exec(c.req.header("Authorization") ?? "")?.[1];
}
