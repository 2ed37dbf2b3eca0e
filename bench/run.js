#!/usr/bin/env node
// The Gatehouse benchmark: starts `wrangler dev` (workerd, local KV and Durable Objects) on a free
// loopback port and drives the hot path that a busy deployment serves most (DESIGN.md, "The hot
// path"), as real clients would over HTTP:
//   authorize (session + remembered consent) → token (authorization_code) → GET /api/me → refresh
// It prints latency percentiles per step, the bundle size, and sign/verify costs per algorithm.
// Usage: npm run bench [-- --iterations 200]
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { startGatehouse } from "../e2e/wrangler.mjs";

const { values: args } = parseArgs({
  options: { iterations: { type: "string", default: "200" }, warmup: { type: "string", default: "20" } },
});
const ITERATIONS = Number(args.iterations);
const WARMUP = Number(args.warmup);

const b64u = (buf) => Buffer.from(buf).toString("base64url");

class Jar {
  cookies = new Map();
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  store(res) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      this.cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
    }
  }
}

const hidden = (page, name) => new RegExp(`name="${name}"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="${name}"`).exec(page);
const field = (page, name) => {
  const m = hidden(page, name);
  return (m?.[1] ?? m?.[2] ?? "").replaceAll("&amp;", "&").replaceAll("&quot;", '"');
};

function pkce() {
  const verifier = b64u(randomBytes(32));
  return { verifier, challenge: b64u(createHash("sha256").update(verifier).digest()) };
}

async function setup(base, adminToken) {
  const adminHeaders = { Authorization: `Bearer ${adminToken}`, "Content-Type": "application/json" };
  const client = await (
    await fetch(`${base}/admin/clients`, {
      method: "POST",
      headers: adminHeaders,
      body: JSON.stringify({
        client_name: "Bench",
        redirect_uris: ["https://rp.example/cb"],
        grant_types: ["authorization_code", "refresh_token"],
        scope: "openid profile",
      }),
    })
  ).json();
  const password = b64u(randomBytes(16));
  await fetch(`${base}/admin/users`, {
    method: "POST",
    headers: adminHeaders,
    body: JSON.stringify({ username: "bench", password }),
  });
  // One interactive login + consent, so that the measured loop is the returning-user path.
  const jar = new Jar();
  const { challenge } = pkce();
  const url = `${base}/authorize?${new URLSearchParams({ response_type: "code", client_id: client.client_id, redirect_uri: "https://rp.example/cb", scope: "openid profile", state: "s", code_challenge: challenge, code_challenge_method: "S256" })}`;
  let res = await fetch(url, { redirect: "manual" });
  jar.store(res);
  let page = await res.text();
  const form = (p, extra) => new URLSearchParams({ request: field(p, "request"), csrf: field(p, "csrf"), ...extra });
  res = await fetch(`${base}/authorize/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: jar.header() },
    body: form(page, { username: "bench", password }),
  });
  jar.store(res);
  page = await res.text();
  res = await fetch(`${base}/authorize/consent`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: jar.header() },
    body: form(page, { decision: "allow" }),
  });
  if (res.status !== 303) throw new Error(`setup: consent answered ${res.status}`);
  return { client, jar };
}

async function timed(samples, name, fn) {
  const t0 = performance.now();
  const out = await fn();
  (samples[name] ??= []).push(performance.now() - t0);
  return out;
}

async function hotPath(base, client, jar, samples) {
  const { verifier, challenge } = pkce();
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`).toString("base64")}`;
  const authorize = await timed(samples, "authorize (session + consent)", () =>
    fetch(`${base}/authorize?${new URLSearchParams({ response_type: "code", client_id: client.client_id, redirect_uri: "https://rp.example/cb", scope: "openid profile", state: "s", code_challenge: challenge, code_challenge_method: "S256" })}`, { redirect: "manual", headers: { Cookie: jar.header() } }),
  );
  const code = new URL(authorize.headers.get("location")).searchParams.get("code");
  if (!code) throw new Error(`authorize gave no code (${authorize.status})`);
  const tokenRes = await timed(samples, "token (authorization_code)", () =>
    fetch(`${base}/token`, {
      method: "POST",
      headers: { Authorization: basic, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: "https://rp.example/cb" }),
    }),
  );
  const tokens = await tokenRes.json();
  if (!tokens.access_token) throw new Error(`token: ${JSON.stringify(tokens)}`);
  const api = await timed(samples, "GET /api/me (JWT verified locally)", () =>
    fetch(`${base}/api/me`, { headers: { Authorization: `Bearer ${tokens.access_token}` } }),
  );
  if (api.status !== 200) throw new Error(`/api/me answered ${api.status}`);
  await api.arrayBuffer();
  const refreshed = await timed(samples, "token (refresh_token)", () =>
    fetch(`${base}/token`, {
      method: "POST",
      headers: { Authorization: basic, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: tokens.refresh_token }),
    }),
  );
  if (refreshed.status !== 200) throw new Error(`refresh answered ${refreshed.status}`);
  await refreshed.arrayBuffer();
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

function bundleSize() {
  const out = mkdtempSync(join(tmpdir(), "gatehouse-bundle-"));
  const r = spawnSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", out], { encoding: "utf8" });
  try {
    if (r.status !== 0) return null;
    let raw = 0;
    let gz = 0;
    for (const f of readdirSync(out)) {
      if (!f.endsWith(".js")) continue;
      const buf = readFileSync(join(out, f));
      raw += statSync(join(out, f)).size;
      gz += gzipSync(buf).length;
    }
    return { raw, gz };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const server = await startGatehouse({ cwd: fileURLToPath(new URL("..", import.meta.url)) });
try {
  const { client, jar } = await setup(server.base, server.adminToken);
  const warm = {};
  for (let i = 0; i < WARMUP; i++) await hotPath(server.base, client, jar, warm);
  const samples = {};
  const t0 = performance.now();
  for (let i = 0; i < ITERATIONS; i++) await hotPath(server.base, client, jar, samples);
  const elapsed = (performance.now() - t0) / 1000;
  console.log(`\nHot path over HTTP against wrangler dev (local workerd), ${ITERATIONS} iterations after ${WARMUP} warm-up:`);
  console.log("step".padEnd(40), "p50 ms".padStart(8), "p95 ms".padStart(8), "max ms".padStart(8));
  for (const [name, xs] of Object.entries(samples)) {
    console.log(name.padEnd(40), pct(xs, 50).toFixed(2).padStart(8), pct(xs, 95).toFixed(2).padStart(8), Math.max(...xs).toFixed(2).padStart(8));
  }
  console.log(`whole flow: ${(ITERATIONS / elapsed).toFixed(1)} flows/s sequential`);
} finally {
  await server.stop();
}

const size = bundleSize();
if (size) console.log(`\nWorker bundle: ${(size.raw / 1024).toFixed(1)} KiB, ${(size.gz / 1024).toFixed(1)} KiB gzipped (free plan limit: 3 MiB gzipped)`);

// The password login's cost: one PBKDF2-SHA256 at the stored iteration count per attempt.
{
  const iterations = 100_000;
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", enc.encode("correct horse battery staple"), "PBKDF2", false, ["deriveBits"]);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const derive = () => crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
  await derive();
  const n = 10;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await derive();
  console.log(`\nPassword check (PBKDF2-SHA256, ${iterations} iterations): ${((performance.now() - t0) / n).toFixed(1)} ms per login attempt (a sequential loop: ≈ CPU time)`);
}

const signBench = spawnSync(process.execPath, [new URL("./sign-algs.mjs", import.meta.url).pathname], { encoding: "utf8" });
if (signBench.status === 0) console.log(`\n${signBench.stdout.trim()}`);
