import { createApp } from "./app";

export { KeyStore } from "./storage/key-store";
export { LoginThrottle } from "./storage/login-throttle";
export { UserObject } from "./storage/user-object";

export default createApp() satisfies ExportedHandler<Env>;
