#!/usr/bin/env node
// Gatehouse's browser tests: `npm run test:e2e`. Starts `wrangler dev` on a free port with fresh
// local state, a stand-in client application on another port, and Debian's Chromium (headless,
// driven by playwright-core), then runs the tests of ./flows.mjs, ./demo.mjs, ./accessibility.mjs,
// ./client-libraries.mjs, ./admin-cli.mjs, ./mcp.mjs (browser-free) and ./guides.mjs, and prints
// "N passed, M failed" (", K skipped" when a test could not run here; each says why).
// Screenshots of the pages go to e2e/screenshots/ (not committed); a failing test's page to
// e2e/screenshots/failures/<test name>.png, its path printed with the failure.
// Environment: CHROMIUM (default /usr/bin/chromium), E2E_ONLY (run tests whose name contains it).
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { tests as accessibilityTests } from "./accessibility.mjs";
import { tests as adminCliTests } from "./admin-cli.mjs";
import { tests as clientLibraryTests } from "./client-libraries.mjs";
import { tests as demoTests } from "./demo.mjs";
import { tests } from "./flows.mjs";
import { tests as guideTests } from "./guides.mjs";
import { tests as mcpTests, prepareMcp, Skipped } from "./mcp.mjs";
import { AdminApi } from "./oauth.mjs";
import { startRelyingParty } from "./relying-party.mjs";
import { startGatehouse } from "./wrangler.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const screenshots = join(here, "screenshots");
// A failing test's page, as it was when it failed: failures/<test name>.png.
const failureShots = join(screenshots, "failures");
const TEST_TIMEOUT_MS = 60_000;

let gatehouse;
let mcp;
let rp;
let browser;
let cleaningUp;
function cleanup() {
  cleaningUp ??= (async () => {
    await browser?.close().catch(() => {});
    await rp?.close().catch(() => {});
    await mcp?.close().catch(() => {});
    await gatehouse?.stop();
  })();
  return cleaningUp;
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => void cleanup().finally(() => process.exit(130)));
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  mkdirSync(failureShots, { recursive: true });
  mcp = await prepareMcp();
  // What `npm run dev` runs (src/dev.ts): Gatehouse as deployed, plus the local demo at `/`.
  gatehouse = await startGatehouse({ cwd: dirname(here), script: "src/dev.ts", vars: mcp.vars });
  mcp.started(gatehouse.base);
  rp = await startRelyingParty();
  const admin = new AdminApi(gatehouse.base, gatehouse.adminToken);
  const client = await admin.createClient({
    client_name: "E2E Demo App",
    redirect_uris: [rp.redirectUri],
    grant_types: ["authorization_code", "refresh_token"],
    token_endpoint_auth_method: "client_secret_basic",
    scope: "openid profile email",
  });
  const newUser = async () => {
    const password = randomBytes(12).toString("base64url");
    const name = "Ada Lovelace";
    const created = await admin.createUser({
      username: `ada-${randomBytes(6).toString("hex")}`,
      password,
      name,
      email: "ada@example.com",
    });
    return { ...created, name, password };
  };
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
  const context = { base: gatehouse.base, admin, rp, client, newUser, screenshots, mcp };
  const selected = [
    ...tests,
    ...demoTests,
    ...accessibilityTests,
    ...clientLibraryTests,
    ...adminCliTests,
    ...mcpTests,
    ...guideTests,
  ].filter(
    (t) => !process.env.E2E_ONLY || t.name.includes(process.env.E2E_ONLY),
  );
  for (const test of selected) {
    const browserContext = await browser.newContext();
    browserContext.setDefaultTimeout(15_000);
    const page = await browserContext.newPage();
    try {
      await withTimeout(test.run(context, page), test.timeoutMs ?? TEST_TIMEOUT_MS, test.name);
      passed++;
      console.log(`  ✓ ${test.name}`);
    } catch (err) {
      if (err instanceof Skipped) {
        skipped++;
        console.log(`  - SKIPPED ${test.name}\n      !!! ${err.message}`);
        continue;
      }
      failed++;
      console.log(`  ✗ ${test.name}\n      ${String(err?.stack ?? err).split("\n").slice(0, 6).join("\n      ")}`);
      console.log(`      (page: ${page.url()})`);
      const shot = join(failureShots, `${test.name.replace(/[^\w.-]+/g, "-").slice(0, 150)}.png`);
      if (await page.screenshot({ path: shot, fullPage: true }).then(() => true, () => false)) {
        console.log(`      (screenshot: ${shot})`);
      }
    } finally {
      await browserContext.close().catch(() => {});
    }
  }
} catch (err) {
  failed++;
  console.log(`  ✗ set-up failed: ${err?.stack ?? err}`);
} finally {
  if (failed > 0 && gatehouse) console.log(`\n--- wrangler output (tail) ---\n${gatehouse.log().slice(-3000)}`);
  await cleanup();
}
console.log(`\n${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 ? 1 : 0);
