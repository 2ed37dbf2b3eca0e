import { env } from "cloudflare:workers";
import { createApp } from "../../src/app";
import developmentWorker from "../../src/dev";

/**
 * The Worker as a production deployment would run it: another configuration (an https ISSUER,
 * RESOURCES, …) over the same local KV and Durable Objects. Returns a `request`-like sender.
 */
export function deployment(
  settings: Partial<Env>,
  origin = settings.ISSUER ?? "http://localhost",
  app: { fetch: (request: Request, env: Env) => Response | Promise<Response> } = createApp(),
) {
  const configured = { ...env, ...settings };
  return async (path: string, init?: RequestInit): Promise<Response> =>
    app.fetch(new Request(new URL(path, origin), { redirect: "manual", ...init }), configured);
}

/**
 * The local-development Worker (src/dev.ts, what `npm run dev` runs: Gatehouse plus the demo) with
 * more settings, over the same local KV and Durable Objects. A `request`-like sender.
 */
export function localDevelopment(settings: Partial<Env> = {}, origin = settings.ISSUER ?? "http://localhost") {
  return deployment(settings, origin, developmentWorker);
}
