// Secrets and optional variables that `wrangler types` cannot see in wrangler.toml.
// They arrive through `wrangler secret put`, `.dev.vars` or `wrangler dev --var`.
interface Env {
  ISSUER?: string;
  ADMIN_TOKEN?: string;
  REGISTRATION_TOKEN?: string;
  ACCESS_TOKEN_ALG?: string;
  SESSION_TTL?: string;
  SESSION_CHECK_INTERVAL?: string;
  LOGIN_METHODS?: string;
  INSECURE_CLIENT_METADATA_HOSTS?: string;
  BRAND_NAME?: string;
  BRAND_LOGO_URL?: string;
  BRAND_COLOR?: string;
}

// AsyncLocalStorage, which workerd provides under the nodejs_compat flag (wrangler.toml), for the
// pages' request-scoped settings (src/ui/page-context.ts). The project has no @types/node: only
// what the code uses is declared.
declare module "node:async_hooks" {
  export class AsyncLocalStorage<T> {
    run<R>(store: T, callback: () => R): R;
    getStore(): T | undefined;
  }
}
