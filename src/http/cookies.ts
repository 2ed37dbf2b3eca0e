import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { CookieOptions } from "hono/utils/cookie";
import type { AppEnv } from "./app-env";

/**
 * Gatehouse's cookies. On an https issuer they are `Secure` and carry the `__Host-` prefix
 * (RFC 6265bis §4.1.3.2: host-only, path /, secure), so a sibling subdomain cannot set or shadow
 * them; on plain-http localhost (local development) neither is possible. Always HttpOnly and
 * SameSite=Lax: sent on the top-level navigation back from a client, never on cross-site POSTs.
 */
export type CookieName =
  | "session"
  | "csrf"
  | "device"
  // The local demo client's sealed state between its steps (src/demo/demo-state.ts).
  | "demo";

function options(c: Context<AppEnv>): CookieOptions {
  const secure = c.get("issuer").startsWith("https:");
  return secure
    ? { path: "/", httpOnly: true, sameSite: "Lax", secure: true, prefix: "host" }
    : { path: "/", httpOnly: true, sameSite: "Lax" };
}

const baseName = (name: CookieName) => `gatehouse-${name}`;

export function readCookie(c: Context<AppEnv>, name: CookieName): string | undefined {
  return getCookie(c, baseName(name), options(c).prefix);
}

export function writeCookie(
  c: Context<AppEnv>,
  name: CookieName,
  value: string,
  maxAgeSeconds: number,
): void {
  setCookie(c, baseName(name), value, { ...options(c), maxAge: maxAgeSeconds });
}
