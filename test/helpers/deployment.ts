import { env } from "cloudflare:workers";
import { createApp } from "../../src/app";

/**
 * The Worker as a production deployment would run it: another configuration (an https ISSUER,
 * RESOURCES, …) over the same local KV and Durable Objects. Returns a `request`-like sender.
 */
export function deployment(settings: Partial<Env>, origin = settings.ISSUER ?? "http://localhost") {
  const app = createApp();
  const configured = { ...env, ...settings };
  return async (path: string, init?: RequestInit): Promise<Response> =>
    app.fetch(new Request(new URL(path, origin), { redirect: "manual", ...init }), configured);
}
