// Starts Gatehouse under `wrangler dev` (workerd with local KV and Durable Objects) on a free
// loopback port, with a fresh state directory and a random admin token, and stops it again.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @param {{ cwd: string, script?: string, vars?: Record<string, string>, config?: string, port?: number, readyPath?: string, startupTimeoutMs?: number }} options
 *   `script`: another Worker entry than the config's `main` (`src/dev.ts`: what `npm run dev` runs);
 *   `vars`: more `--var NAME:value` settings (wrangler.toml [vars] and config.ts name them);
 *   `config`, `port`, `readyPath`: another Worker (an example) on a port chosen beforehand,
 *   ready when `readyPath` answers 2xx.
 * @returns {Promise<{ base: string, adminToken: string, pid: number, inspectorPort: number, log: () => string, stop: () => Promise<void> }>}
 *   `pid`: the wrangler process group's leader (the benchmark reads its workerd children's CPU).
 */
export async function startGatehouse({
  cwd,
  script,
  vars = {},
  config,
  port: chosenPort,
  readyPath = "/.well-known/oauth-authorization-server",
  startupTimeoutMs = 90_000,
}) {
  const [port, inspectorPort] = [chosenPort ?? (await freePort()), await freePort()];
  const state = mkdtempSync(join(tmpdir(), "gatehouse-e2e-"));
  const adminToken = randomBytes(24).toString("base64url");
  // detached: wrangler gets its own process group, so stop() can end it and workerd together.
  const child = spawn(
    "npx",
    [
      "wrangler", "dev",
      ...(script ? [script] : []),
      ...(config ? ["--config", config] : []),
      "--port", String(port),
      "--ip", "127.0.0.1",
      "--inspector-port", String(inspectorPort),
      "--var", `ADMIN_TOKEN:${adminToken}`,
      // Gatehouse itself (no other config): the issuer is this server, whatever deployment's
      // ISSUER `npm run setup` wrote into wrangler.toml. A `vars.ISSUER` (an example's) wins.
      ...(config ? [] : ["--var", `ISSUER:http://127.0.0.1:${port}`]),
      ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
      "--persist-to", state,
      "--show-interactive-dev-session=false",
    ],
    { cwd, stdio: ["ignore", "pipe", "pipe"], detached: true, env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise((resolve) => child.once("exit", resolve));

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const signal = (sig) => {
      try {
        process.kill(-child.pid, sig);
      } catch {
        // The group is already gone.
      }
    };
    signal("SIGTERM");
    const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
    if (!done) signal("SIGKILL");
    rmSync(state, { recursive: true, force: true });
  };

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + startupTimeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${base}${readyPath}`);
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not start:\n${output.slice(-3000)}`);
    }
    await sleep(300);
  }
  return { base, adminToken, pid: child.pid, inspectorPort, log: () => output, stop };
}
