import type { Context } from "hono";
import { randomToken } from "../crypto/random";
import { timingSafeEqual } from "../crypto/timing-safe";
import { OAuthError } from "../protocol/errors";
import type { AppEnv } from "./app-env";
import { readCookie, writeCookie } from "./cookies";

const CSRF_COOKIE_TTL = 3600;

/**
 * The browser's anti-CSRF token: a random value in an HttpOnly cookie, reused while it lives.
 * Forms carry it in a hidden field, and the sealed interaction ticket carries it too, so a form
 * posted from another site (no cookie: SameSite=Lax), or a ticket lifted from another browser
 * (another cookie), is refused. This does not rest on the Origin header: with
 * `Referrer-Policy: no-referrer`, Chromium sends `Origin: null` on same-origin form POSTs.
 */
export function csrfToken(c: Context<AppEnv>): string {
  const existing = readCookie(c, "csrf");
  const token = existing && /^[A-Za-z0-9_-]{43}$/.test(existing) ? existing : randomToken(32);
  writeCookie(c, "csrf", token, CSRF_COOKIE_TTL);
  return token;
}

/**
 * Checks a form POST: the cookie, the form's hidden field and the ticket's copy must agree.
 * Fetch metadata and Origin, when the browser sends them, must not name another site.
 */
export async function verifyCsrf(
  c: Context<AppEnv>,
  formToken: string | undefined,
  ticketToken: string,
): Promise<void> {
  const refuse = () =>
    new OAuthError(
      "access_denied",
      "This form could not be verified (it expired, or was sent from another site). Start the sign-in again from the application.",
      { status: 403 },
    );
  if (c.req.header("Sec-Fetch-Site") === "cross-site") throw refuse();
  const origin = c.req.header("Origin");
  if (origin && origin !== "null" && origin !== new URL(c.req.url).origin) throw refuse();
  const cookie = readCookie(c, "csrf");
  if (!cookie || !formToken) throw refuse();
  const [formOk, ticketOk] = await Promise.all([
    timingSafeEqual(cookie, formToken),
    timingSafeEqual(cookie, ticketToken),
  ]);
  if (formOk && ticketOk) return;
  // Two login pages opened at the same instant by a browser without the cookie each set their
  // own token, and the later one replaced the cookie. A POST the browser itself marks as
  // same-origin (Fetch Metadata: no page can forge it) was sent by one of our own pages, so a
  // form that agrees with its own ticket is accepted; everything else still needs the cookie.
  const sameOrigin = c.req.header("Sec-Fetch-Site") === "same-origin";
  if (!sameOrigin || !(await timingSafeEqual(formToken, ticketToken))) throw refuse();
}
