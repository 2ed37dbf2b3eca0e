/**
 * The bindings Gatehouse's storage works on: three KV namespaces (clients, users with their
 * consents, the client-to-grant index) and three Durable Object namespaces (one object per user,
 * the key store, the login throttles). Only src/storage/ calls their APIs; every other layer
 * receives this value and passes it to a storage function, so it never sees a KV or Durable
 * Object call. The Worker's `env` is one (the default, src/app.ts); a test or a demo may build
 * the app with others (`createApp({ stores })`).
 */
export type Stores = Readonly<
  Pick<Env, "CLIENTS" | "USERS" | "TOKENS" | "USER_OBJECTS" | "KEYS" | "THROTTLE">
>;
