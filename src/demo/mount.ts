import type { Hono } from "hono";
import type { AppEnv } from "../http/app-env";
import { DEMO_PATHS, localDevelopmentOnly } from "./guard";
import { demoRoutes } from "./routes";

/**
 * Adds the landing page and the demo client to an app (createApp's `extend`, from src/dev.ts).
 * Even there they answer only for a loopback issuer (src/demo/guard.ts), so a Worker deployed
 * from the development entry by mistake still serves and seeds nothing of the demo. The demo
 * calls Gatehouse's endpoints through the app's own fetch: the whole stack, in-process.
 */
export function mountDemo(app: Hono<AppEnv>): void {
  for (const path of DEMO_PATHS) app.use(path, localDevelopmentOnly);
  app.route("/", demoRoutes(async (request, env) => app.fetch(request, env)));
}
