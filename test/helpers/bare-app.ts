import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { getConfig, issuerFor } from "../../src/config";
import type { AppEnv } from "../../src/http/app-env";
import { onAuthorizationError } from "../../src/oauth/authorization-errors";

/**
 * A Hono app with only what Gatehouse's shared middleware sets (configuration and issuer) and
 * its error handler, for mounting one piece (a login method's routes, say) without the rest.
 * `send` reaches it at http://localhost with the test bindings.
 */
export function bareApp() {
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    const config = getConfig(c.env);
    c.set("config", config);
    c.set("issuer", issuerFor(config, c.req.url));
    c.set("stores", c.env);
    await next();
  });
  app.onError(onAuthorizationError);
  const send = (path: string, init?: RequestInit) =>
    app.fetch(new Request(new URL(path, "http://localhost"), init), env);
  return { app, send };
}
