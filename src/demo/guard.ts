import type { MiddlewareHandler } from "hono";
import { isLocalHostname } from "../config";
import type { AppEnv } from "../http/app-env";
import { notFound } from "../http/on-error";
import { renderJsonError } from "../protocol/error-response";

/** Where the demo lives: the landing page and the demo client application. */
export const DEMO_PATHS = ["/", "/demo/*"] as const;

/**
 * The demo exists only in local development: an issuer (configured, or the request's origin when
 * none is) on a loopback host (DESIGN.md). Everywhere else its routes answer the app's ordinary
 * JSON 404 before any demo code runs, so a deployment neither serves nor seeds anything of it,
 * whatever Host header a request carries: the issuer of a deployment is its configured ISSUER.
 * The request itself must be for a loopback host too: with a loopback ISSUER configured, a page
 * of another site whose name resolves to 127.0.0.1 (DNS rebinding) gets nothing of the demo, so
 * it cannot read the demo user's password from the landing page.
 */
export const localDevelopmentOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  const local = (url: string) => isLocalHostname(new URL(url).hostname);
  if (!local(c.get("issuer")) || !local(c.req.url)) return renderJsonError(c, notFound());
  await next();
};
