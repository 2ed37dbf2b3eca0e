import { env } from "cloudflare:workers";

/** Wraps a binding so that every method call on it is counted by name ("USERS.get"). */
function counted<T extends object>(name: string, binding: T, calls: string[]): T {
  return new Proxy(binding, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.push(`${name}.${String(prop)}`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/**
 * The test bindings, each counted into `calls` (a Durable Object call shows as
 * "USER_OBJECTS.getByName"): pass to deployment() to measure what a request costs.
 */
export function countedBindings(calls: string[]): Partial<Env> {
  return {
    CLIENTS: counted("CLIENTS", env.CLIENTS, calls),
    USERS: counted("USERS", env.USERS, calls),
    TOKENS: counted("TOKENS", env.TOKENS, calls),
    USER_OBJECTS: counted("USER_OBJECTS", env.USER_OBJECTS, calls),
    KEYS: counted("KEYS", env.KEYS, calls),
    THROTTLE: counted("THROTTLE", env.THROTTLE, calls),
  };
}
