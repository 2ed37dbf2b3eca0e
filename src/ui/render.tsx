import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { raw } from "hono/utils/html";
import type { Brand, Config } from "../config";
import type { AppEnv } from "../http/app-env";
import { negotiateLanguage } from "./language";
import { LANGUAGES } from "./messages";
import { DEFAULT_BRAND, type PageSettings, withPageSettings } from "./page-context";
import { stylesheetFor, stylesheetHashSource } from "./styles";

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
  /**
   * The authorization or logout request's `ui_locales` (OIDC Core §3.1.2.1), which outranks
   * Accept-Language in choosing the page's language.
   */
  uiLocales?: string | undefined;
  /**
   * Rules appended to the pages' stylesheet (and so to its CSP hash): the local demo's
   * (src/demo/styles.ts), which the deployed Worker never serves and so does not carry.
   */
  extraStylesheet?: string;
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

/**
 * The img-src sources a brand's logo needs (src/config.ts checked it): the https URL's origin
 * (an ASCII host-source), or `data:` for an inline image. Nothing without a logo.
 */
export function logoSources(brand: Brand): string[] {
  if (brand.logoUrl === undefined) return [];
  if (brand.logoUrl.startsWith("data:")) return ["data:"];
  const source = formActionSource(brand.logoUrl);
  return source?.startsWith("https://") ? [source] : [];
}

/**
 * The Content-Security-Policy of a page: nothing loads but its own inline stylesheet and, when
 * one is configured, the brand's logo (imageSources).
 */
export function pageContentSecurityPolicy(
  styleSource: string,
  formActionOrigins: readonly string[] = [],
  imageSources: readonly string[] = [],
): string {
  const formAction = new Set(["'self'"]);
  for (const uri of formActionOrigins) {
    const source = formActionSource(uri);
    if (source) formAction.add(source);
  }
  return [
    "default-src 'none'",
    `style-src ${styleSource}`,
    `img-src ${["'self'", ...imageSources].join(" ")}`,
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
 *
 * The page is rendered in the language negotiated for the request (./language.ts) with the
 * configured brand (./page-context.ts); Content-Language names the language (RFC 9110 §8.5) and
 * Vary says that Accept-Language chose it (RFC 9110 §12.5.5).
 */
export async function renderPage(
  c: Context<AppEnv>,
  page: Child,
  options: RenderPageOptions = {},
): Promise<Response> {
  const settings = pageSettings(c, options);
  const csp = pageContentSecurityPolicy(
    await stylesheetHashSource(settings.stylesheet),
    options.formActionOrigins,
    logoSources(settings.brand),
  );
  // A fragment rather than hono/html's `html` template: the same output from the JSX renderer
  // the pages use anyway.
  const body = await withPageSettings(settings, () =>
    (
      <>
        {raw("<!doctype html>")}
        {page}
      </>
    ).toString(),
  );
  return c.html(body, (options.status ?? 200) as 200, {
    ...options.headers,
    "Content-Type": "text/html; charset=UTF-8",
    "Content-Language": settings.messages.tag,
    Vary: "Accept-Language",
    "Content-Security-Policy": csp,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    // Pages carry one-time form tokens and personal data: never cached (RFC 9111 §5.2.2.5).
    "Cache-Control": "no-store",
    Pragma: "no-cache",
  });
}

/** The language, brand and stylesheet of a page for this request. */
function pageSettings(
  c: Context<AppEnv>,
  { uiLocales, extraStylesheet = "" }: RenderPageOptions,
): PageSettings {
  // A bare Hono app (a unit test of a page) sets no configuration: the default brand.
  const config: Config | undefined = c.get("config");
  const brand = config?.brand ?? DEFAULT_BRAND;
  const language = negotiateLanguage({ uiLocales, acceptLanguage: c.req.header("Accept-Language") });
  return {
    language,
    messages: LANGUAGES[language],
    brand,
    stylesheet: stylesheetFor(brand.color) + extraStylesheet,
  };
}
