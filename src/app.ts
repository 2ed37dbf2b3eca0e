import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { secureHeaders } from "hono/secure-headers";
import { adminRoutes } from "./admin/routes";
import { loginMethodsOf } from "./auth/methods";
import { type Config, getConfig, issuerFor } from "./config";
import type { AppEnv } from "./http/app-env";
import { notFound, onJsonError, toOAuthError } from "./http/on-error";
import { authorizeRoutes } from "./oauth/authorize";
import { renderJsonError } from "./protocol/error-response";
import { OAuthError } from "./protocol/errors";
import { interactionRoutes } from "./oauth/interaction";
import { introspectRoutes } from "./oauth/introspect";
import { loginRoutes } from "./oauth/login";
import { logoutRoutes } from "./oauth/logout";
import { metadataRoutes } from "./oauth/metadata";
import { registerRoutes } from "./oauth/register";
import { revokeRoutes } from "./oauth/revoke";
import { tokenRoutes } from "./oauth/token-endpoint";
import { throttleInvalidTokens } from "./oauth/token-throttle";
import { userinfoRoutes } from "./oauth/userinfo";
import { exampleApiRoutes } from "./demo/example-api";
import type { Stores } from "./storage/stores";
import { renderErrorPage } from "./ui/error-page";

/** How to build the app; every member has a default, so `createApp()` is the deployed Worker. */
export interface AppOptions {
  /**
   * The configuration, or how to make it from the Worker's bindings. Default: parsed from
   * `env` (src/config.ts getConfig), once per `env` object.
   */
  config?: Config | ((env: Env) => Config);
  /** Where storage keeps its records, from the Worker's bindings. Default: the bindings. */
  stores?: (env: Env) => Stores;
  /**
   * More routes, mounted after Gatehouse's own and before the 404. The local-development entry
   * (src/dev.ts) adds the landing page and the demo client here, so the deployed Worker
   * (src/index.ts) carries none of their code.
   */
  extend?: (app: Hono<AppEnv>) => void;
}

/**
 * Builds the Gatehouse app. The Worker entry (src/index.ts) only exports it; tests and a demo
 * build it with their own configuration or stores.
 */
export function createApp(options: AppOptions = {}): Hono<AppEnv> {
  const configOf = configSource(options.config);
  const storesOf = options.stores ?? ((env: Env): Stores => env);
  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    const config = configOf(c.env);
    // An unknown login method fails every request, like any other configuration error.
    loginMethodsOf(config);
    c.set("config", config);
    c.set("stores", storesOf(c.env));
    c.set("issuer", issuerFor(config, c.req.url));
    await next();
  });

  // Defaults for every response; pages tighten the CSP further (src/ui/render.tsx).
  app.use(
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      xFrameOptions: "DENY",
      referrerPolicy: "no-referrer",
      crossOriginResourcePolicy: false,
      crossOriginOpenerPolicy: "same-origin",
      // Pages set their own, stricter headers (src/ui/render.tsx): keep them, so one CSP.
      overwrite: false,
    }),
  );

  // Invalid codes and tokens per address: refused before any grant's Durable Object is reached.
  app.use("/token", throttleInvalidTokens);
  app.use("/revoke", throttleInvalidTokens);

  app.route("/", metadataRoutes);
  app.route("/", authorizeRoutes);
  app.route("/", loginRoutes);
  app.route("/", interactionRoutes);
  app.route("/", logoutRoutes);
  app.route("/", tokenRoutes);
  app.route("/", revokeRoutes);
  app.route("/", introspectRoutes);
  app.route("/", userinfoRoutes);
  app.route("/", registerRoutes);
  app.route("/", exampleApiRoutes);
  app.route("/admin", adminRoutes);
  options.extend?.(app);

  // Each route group renders its own errors (its sub-app's onError); these are the rest.
  app.notFound((c) => renderJsonError(c, notFound()));
  app.onError(onUngroupedError);
  return app;
}

function configSource(config: AppOptions["config"]): (env: Env) => Config {
  if (config === undefined) return getConfig;
  if (typeof config === "function") return config;
  return () => config;
}

/**
 * Errors outside every route group: the shared middleware above (a configuration error, the
 * token throttle). OAuth errors are JSON (RFC 6749 §5.2); a failure is shown to a browser as a
 * page, to anything else as JSON.
 */
function onUngroupedError(err: Error, c: Context<AppEnv>): Response | Promise<Response> {
  const browser = (c.req.header("Accept") ?? "").includes("text/html");
  if (browser && !(err instanceof OAuthError)) return renderErrorPage(c, toOAuthError(err));
  return onJsonError(err, c);
}
