import type { Context } from "hono";
import { html } from "hono/html";
import type { Child } from "hono/jsx";
import type { AppEnv } from "../http/app-env";
import { stylesheetHashSource } from "./styles";

export interface RenderPageOptions {
  /** HTTP status; 200 by default. */
  status?: number;
  /**
   * Where the page's form may lead besides this origin: the client's redirect URI (its origin is
   * taken). Chromium applies form-action to every redirect that follows a form POST (CSP3 §6.3.1.1
   * "form-action"), so the login and consent forms, which end in a redirect to the client, must
   * allow the client's origin or the browser stops on our page.
   */
  formActionOrigins?: readonly string[];
  /** Extra headers (e.g. Retry-After). */
  headers?: Readonly<Record<string, string>>;
}

/** CSP3 §2.3.1 host-source of the form scheme://host[:port], host a DNS name or IP literal. */
const HOST_SOURCE = /^[a-z][a-z0-9+.-]*:\/\/(?:\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/i;

/**
 * The CSP source for one URI: its origin, or its scheme for a private-use URI scheme
 * (RFC 8252 §7.1, e.g. com.example.app:/cb, whose origin is opaque). Undefined for anything
 * else: the URL parser accepts hosts with ";" or ",", which in a header would end the directive,
 * and redirect URIs come from client registration.
 */
export function formActionSource(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.origin !== "null") return HOST_SOURCE.test(url.origin) ? url.origin : undefined;
  return /^[a-z][a-z0-9+.-]*:$/i.test(url.protocol) ? url.protocol : undefined;
}

/** The Content-Security-Policy of a page: nothing loads but its own inline stylesheet. */
export function pageContentSecurityPolicy(
  styleSource: string,
  formActionOrigins: readonly string[] = [],
): string {
  const formAction = new Set(["'self'"]);
  for (const uri of formActionOrigins) {
    const source = formActionSource(uri);
    if (source) formAction.add(source);
  }
  return [
    "default-src 'none'",
    `style-src ${styleSource}`,
    "img-src 'self'",
    `form-action ${[...formAction].join(" ")}`,
    // Clickjacking (RFC 6749 §10.13, RFC 9700 §4.16): never framed; X-Frame-Options for old browsers.
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join("; ");
}

/**
 * Renders a page as a complete HTML response with the page security headers. The app's global
 * secureHeaders middleware leaves these headers alone (it does not overwrite), so the response
 * carries exactly one Content-Security-Policy: this one.
 */
export async function renderPage(
  c: Context<AppEnv>,
  page: Child,
  options: RenderPageOptions = {},
): Promise<Response> {
  const csp = pageContentSecurityPolicy(await stylesheetHashSource(), options.formActionOrigins);
  const body = await html`<!doctype html>${page}`;
  return c.html(body, (options.status ?? 200) as 200, {
    ...options.headers,
    "Content-Type": "text/html; charset=UTF-8",
    "Content-Security-Policy": csp,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    // Pages carry one-time form tokens and personal data: never cached (RFC 9111 §5.2.2.5).
    "Cache-Control": "no-store",
    Pragma: "no-cache",
  });
}
