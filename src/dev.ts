import { createApp } from "./app";
import { mountDemo } from "./demo/mount";

export { KeyStore } from "./storage/key-store";
export { LoginThrottle } from "./storage/login-throttle";
export { UserObject } from "./storage/user-object";

/**
 * The Worker of local development (`npm run dev` runs `wrangler dev src/dev.ts`): Gatehouse as
 * deployed (src/index.ts) plus the landing page and the demo at `/` (src/demo/). The deployed
 * bundle, built from wrangler.toml's `main`, carries no demo code at all.
 */
export default createApp({ extend: mountDemo }) satisfies ExportedHandler<Env>;
