import { type Config, ConfigError } from "../config";
import type { LoginMethod } from "./method";
import { passwordMethod } from "./password/method";

/**
 * Every login method Gatehouse has. Adding one is one module and one entry here; LOGIN_METHODS
 * chooses which of them a deployment offers.
 */
export const LOGIN_METHODS: readonly LoginMethod[] = [passwordMethod];

const cache = new WeakMap<Config, readonly LoginMethod[]>();

/**
 * The methods the configuration offers, in its order (the login page shows them so). An unknown
 * name is a configuration error: a deployment must not silently offer fewer ways in than its
 * operator wrote.
 */
export function loginMethodsOf(config: Config): readonly LoginMethod[] {
  const cached = cache.get(config);
  if (cached) return cached;
  const methods = config.loginMethods.map((id) => {
    const method = LOGIN_METHODS.find((m) => m.id === id);
    if (method === undefined) {
      const known = LOGIN_METHODS.map((m) => m.id).join(", ");
      throw new ConfigError(`LOGIN_METHODS: unknown login method "${id}" (known: ${known})`);
    }
    return method;
  });
  cache.set(config, methods);
  return methods;
}
