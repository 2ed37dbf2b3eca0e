import { createApp } from "./app";

export { GrantObject } from "./storage/grant-object";
export { KeyStore } from "./storage/key-store";
export { LoginThrottle } from "./storage/login-throttle";

export default createApp() satisfies ExportedHandler<Env>;
