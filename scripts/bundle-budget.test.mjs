// Issue 14's bundle budget: the Worker as `wrangler deploy` would upload it is at most 60 KiB
// gzip (measured as `npm run bench` measures it, bench/bundle.mjs), and the code each saving
// removed stays out (bench/README.md "Bundle" says what each bought).
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { BUNDLE_BUDGET_BYTES, bundleSize } from "../bench/bundle.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

test("the Worker's bundle is at most 60 KiB gzip and carries no code Gatehouse never runs", () => {
  const bundle = bundleSize(root);
  assert.equal(bundle.error, undefined, bundle.error);
  assert.ok(
    bundle.gzip <= BUNDLE_BUDGET_BYTES,
    `the bundle is ${(bundle.gzip / 1024).toFixed(1)} KiB gzip, over the ${BUNDLE_BUDGET_BYTES / 1024} KiB budget; by package and folder (minified bytes): ${JSON.stringify(bundle.groups)}`,
  );
  const files = Object.keys(bundle.inputs);
  const unwanted = [
    // Sealing frames dir + A256GCM JWE itself (src/crypto/seal.ts): no general JWE code.
    /jose\/dist\/webapi\/(lib\/jwe_|lib\/key_management|lib\/content_encryption|jwt\/encrypt)/,
    // Gatehouse verifies with its own keys; fetching a remote JWKS is for other Workers.
    /jose\/dist\/webapi\/jwks\/remote/,
    // Keys are generated and imported with WebCrypto directly (src/crypto/signing-keys.ts).
    /jose\/dist\/webapi\/key\/(generate_key_pair|import|export)/,
    // hono/tiny's PatternRouter only: not the default SmartRouter's three routers.
    /hono\/dist\/router\/(smart-router|reg-exp-router|trie-router\/router)/,
  ];
  for (const pattern of unwanted) {
    assert.deepEqual(files.filter((f) => pattern.test(f)), [], `bundled although unused: ${pattern}`);
  }
});
