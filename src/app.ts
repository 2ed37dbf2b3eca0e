import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { adminRoutes } from "./admin/routes";
import { loginMethodsOf } from "./auth/methods";
import { getConfig, issuerFor } from "./config";
import type { AppEnv } from "./http/app-env";
import { onError } from "./http/on-error";
import { authorizeRoutes } from "./oauth/authorize";
import { OAuthError } from "./protocol/errors";
import { interactionRoutes } from "./oauth/interaction";
import { introspectRoutes } from "./oauth/introspect";
import { loginRoutes } from "./oauth/login";
import { metadataRoutes } from "./oauth/metadata";
import { registerRoutes } from "./oauth/register";
import { revokeRoutes } from "./oauth/revoke";
import { tokenRoutes } from "./oauth/token-endpoint";
import { throttleInvalidTokens } from "./oauth/token-throttle";
import { userinfoRoutes } from "./oauth/userinfo";
import { exampleApiRoutes } from "./resource/example-api";

/** Builds the Gatehouse app. The Worker entry (src/index.ts) only exports it. */
export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    const config = getConfig(c.env);
    // An unknown login method fails every request, like any other configuration error.
    loginMethodsOf(config);
    c.set("config", config);
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
  app.route("/", tokenRoutes);
  app.route("/", revokeRoutes);
  app.route("/", introspectRoutes);
  app.route("/", userinfoRoutes);
  app.route("/", registerRoutes);
  app.route("/", exampleApiRoutes);
  app.route("/admin", adminRoutes);

  app.notFound(() => {
    throw new OAuthError("not_found", "No such endpoint", { status: 404 });
  });
  app.onError(onError);
  return app;
}
