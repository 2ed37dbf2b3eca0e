import { createApp } from "./app";

export { KeyStore } from "./storage/key-store";
export { LoginThrottle } from "./storage/login-throttle";
export { UserObject } from "./storage/user-object";

/** The deployed Worker (wrangler.toml `main`); local development runs src/dev.ts. */
export default createApp() satisfies ExportedHandler<Env>;
