import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

type NodeLike = { env: Record<string, string | undefined> };

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      // Test-only values; the real ones are secrets (README "Configuration").
      miniflare: { bindings: { ADMIN_TOKEN: "test-admin-token" } },
    }),
  ],
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    // The property suites' seed (test/properties/): FC_SEED=… npm test replays a reported run.
    // (Node's process, typed by hand: the project's types are the Workers runtime's.)
    provide: { fcSeed: (globalThis as { process?: NodeLike }).process?.env.FC_SEED ?? "" },
  },
});
