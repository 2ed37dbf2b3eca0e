/**
 * The service's Worker: on its cron trigger it runs the nightly report. Tokens are kept per
 * isolate, so runs close together reuse one until it is about to expire.
 */
import { nightlyReport } from "./report-job";
import { ServiceTokens } from "./service-tokens";

export interface ServiceEnv {
  ISSUER: string;
  /** The API's identifier (RFC 8707) and base URL. */
  API: string;
  CLIENT_ID: string;
  CLIENT_SECRET: string;
}

// #region worker
let tokens: ServiceTokens | undefined;

export default {
  async scheduled(_controller, env) {
    tokens ??= new ServiceTokens(
      { issuer: env.ISSUER, clientId: env.CLIENT_ID, clientSecret: env.CLIENT_SECRET },
      { resource: env.API, scope: "reports:read" },
    );
    const summary = await nightlyReport(tokens, env.API);
    console.log(JSON.stringify({ job: "nightly-report", ...summary }));
  },
} satisfies ExportedHandler<ServiceEnv>;
// #endregion
