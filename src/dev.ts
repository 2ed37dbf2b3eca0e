import { createApp } from "./app";
import { type Config, getConfig, isLocalHostname } from "./config";
import { mountDemo } from "./demo/mount";

export { KeyStore } from "./storage/key-store";
export { LoginThrottle } from "./storage/login-throttle";
export { UserObject } from "./storage/user-object";

const configs = new WeakMap<object, Config>();

/**
 * Local development's configuration. wrangler.toml's `[vars]` describe the deployment, so an
 * ISSUER there that is not on loopback (the one `npm run setup` writes) names the deployed issuer,
 * not this server: it is set aside, and the request's origin is the issuer (DESIGN.md: "when
 * unset in local development"). Every clone of a team's repository then runs `npm run dev` as a
 * fresh one does. A loopback ISSUER (`npm run dev -- --var ISSUER:http://127.0.0.1:9000`) is kept.
 */
function localConfig(env: Env): Config {
  let config = configs.get(env);
  if (config === undefined) {
    const issuer = env.ISSUER;
    const deployed = issuer && URL.canParse(issuer) && !isLocalHostname(new URL(issuer).hostname);
    config = getConfig(deployed ? ({ ...env, ISSUER: "" } as Env) : env);
    configs.set(env, config);
  }
  return config;
}

/**
 * The Worker of local development (`npm run dev` runs `wrangler dev src/dev.ts`): Gatehouse as
 * deployed (src/index.ts) plus the landing page and the demo at `/` (src/demo/). The deployed
 * bundle, built from wrangler.toml's `main`, carries no demo code at all.
 */
export default createApp({ config: localConfig, extend: mountDemo }) satisfies ExportedHandler<Env>;
