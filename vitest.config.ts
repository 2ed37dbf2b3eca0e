import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { clientWebServer } from "./test/helpers/client-web-server";

type NodeLike = { env: Record<string, string | undefined> };

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      // Test-only values; the real ones are secrets (README "Configuration"). ISSUER empty: the
      // tests are local development whatever deployment's ISSUER `npm run setup` wrote into
      // wrangler.toml (tests that need one set it themselves).
      // Outbound fetches reach the stand-in for clients' web servers (client metadata documents).
      miniflare: {
        bindings: { ADMIN_TOKEN: "test-admin-token", ISSUER: "" },
        outboundService: clientWebServer,
      },
    }),
  ],
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    // The property suites' seed (test/properties/): FC_SEED=… npm test replays a reported run.
    // (Node's process, typed by hand: the project's types are the Workers runtime's.)
    provide: { fcSeed: (globalThis as { process?: NodeLike }).process?.env.FC_SEED ?? "" },
  },
});
