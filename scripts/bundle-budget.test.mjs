// The bundle's ceiling: the Worker as `wrangler deploy` would upload it stays under
// BUNDLE_CEILING_BYTES gzip (measured as `npm run bench` measures it, bench/bundle.mjs; issue 14's
// target of 60 KiB is what the benchmark reports against), the code each saving removed stays
// out (bench/README.md "Bundle" says what each bought), and nothing of the local demo ships.
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { BUNDLE_CEILING_BYTES, bundleSize } from "../bench/bundle.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

test("the Worker's bundle stays under its ceiling and carries no code Gatehouse never runs", () => {
  const bundle = bundleSize(root);
  assert.equal(bundle.error, undefined, bundle.error);
  assert.ok(
    bundle.gzip <= BUNDLE_CEILING_BYTES,
    `the bundle is ${(bundle.gzip / 1024).toFixed(1)} KiB gzip, over the ${BUNDLE_CEILING_BYTES / 1024} KiB ceiling; by package and folder (minified bytes): ${JSON.stringify(bundle.groups)}`,
  );
  const files = Object.keys(bundle.inputs);
  const unwanted = [
    // Sealing frames dir + A256GCM JWE itself (src/crypto/seal.ts): no general JWE code.
    /jose\/dist\/webapi\/(lib\/jwe_|lib\/key_management|lib\/content_encryption|jwt\/encrypt)/,
    // Tokens are signed as one claims object with CompactSign (src/tokens/sign-jwt.ts).
    /jose\/dist\/webapi\/jwt\/sign/,
    // The id_token_hint's header is checked in compactVerify's key look-up (src/tokens/id-token-hint.ts).
    /jose\/dist\/webapi\/util\/decode_protected_header/,
    // Gatehouse verifies with its own keys; fetching a remote JWKS is for other Workers.
    /jose\/dist\/webapi\/jwks\/remote/,
    // Keys are generated and imported with WebCrypto directly (src/crypto/signing-keys.ts).
    /jose\/dist\/webapi\/key\/(generate_key_pair|import|export)/,
    // Pages are rendered by hono/jsx alone (src/ui/render.tsx), without hono/html's template.
    /hono\/dist\/helper\/html/,
    // hono/tiny's PatternRouter only: not the default SmartRouter's three routers.
    /hono\/dist\/router\/(smart-router|reg-exp-router|trie-router\/router)/,
    // The local demo ships only in the development entry (src/dev.ts); /api/me is Gatehouse's own.
    /^src\/demo\/(?!example-api\.ts$)|^src\/dev\.ts$/,
  ];
  for (const pattern of unwanted) {
    assert.deepEqual(files.filter((f) => pattern.test(f)), [], `bundled although unused: ${pattern}`);
  }
});
