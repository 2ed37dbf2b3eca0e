#!/usr/bin/env node
// `npm run setup`: after `wrangler login`, prepares a Cloudflare account for the first deploy.
// Creates (or finds) the KV namespaces, writes their ids and ISSUER into wrangler.toml in place,
// stores a generated ADMIN_TOKEN as a Worker secret, and prints the next command. Safe to run
// twice: ids and issuer already in wrangler.toml are kept, and an existing secret is not replaced.
// GATEHOUSE_WRANGLER names another wrangler script (the tests use a fake one that records calls).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { createInterface } from "node:readline/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const BINDINGS = ["CLIENTS", "TOKENS", "USERS"];

const HELP = `Usage: npm run setup -- [--issuer https://login.example.com] [--keep-admin-token] [--config wrangler.toml]

Run after \`npx wrangler login\`. Creates the KV namespaces CLIENTS, TOKENS and USERS (or reuses
those of the same name), writes their ids and ISSUER into wrangler.toml, generates ADMIN_TOKEN and
stores it as a Worker secret (unless it exists or --keep-admin-token), then prints the next step.
Running it again keeps what is already set; --issuer replaces the issuer.`;

class SetupError extends Error {}

/** Runs wrangler with `args` (stdin: `input`); answers { code, stdout, stderr }. */
function wrangler(args, input) {
  const script = process.env.GATEHOUSE_WRANGLER ?? join(root, "node_modules", "wrangler", "bin", "wrangler.js");
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

/** The namespace id wrangler prints in its config snippet (TOML or JSON). */
function parseNamespaceId(output) {
  return /\bid"?\s*[=:]\s*"([0-9a-f]{32})"/.exec(output)?.[1];
}

/** The all-zero ids of the repository's wrangler.toml are placeholders, not namespaces. */
const isPlaceholder = (id) => id === undefined || /^0+[0-9a-f]?$/.test(id);

/** Line index of the `id = "…"` line in the [[kv_namespaces]] block with `binding`, and its id. */
function findNamespaceId(lines, binding) {
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== "[[kv_namespaces]]") continue;
    let found = false;
    let idLine = -1;
    for (let j = i + 1; j < lines.length && !/^\s*\[/.test(lines[j]); j++) {
      if (new RegExp(`^\\s*binding\\s*=\\s*"${binding}"`).test(lines[j])) found = true;
      if (/^\s*id\s*=/.test(lines[j])) idLine = j;
    }
    if (found) return { block: i, line: idLine, id: idLine < 0 ? undefined : /"([^"]*)"/.exec(lines[idLine])?.[1] };
  }
  return undefined;
}

/** Sets the id of `binding`'s block, keeping every other line (comments included) as it was. */
function setNamespaceId(lines, binding, id) {
  const at = findNamespaceId(lines, binding);
  if (!at) throw new SetupError(`wrangler.toml has no [[kv_namespaces]] block with binding = "${binding}"`);
  if (at.line >= 0) lines[at.line] = lines[at.line].replace(/=\s*"[^"]*"/, `= "${id}"`);
  else lines.splice(at.block + 1, 0, `id = "${id}"`);
}

/** ISSUER as set (uncommented) in [vars], and its line. */
function findIssuer(lines) {
  const vars = lines.findIndex((l) => l.trim() === "[vars]");
  if (vars < 0) return { vars, line: -1 };
  for (let j = vars + 1; j < lines.length && !/^\s*\[/.test(lines[j]); j++) {
    const m = /^\s*ISSUER\s*=\s*"([^"]*)"/.exec(lines[j]);
    if (m) return { vars, line: j, value: m[1] };
  }
  return { vars, line: -1 };
}

function setIssuer(lines, issuer) {
  const at = findIssuer(lines);
  if (at.line >= 0) {
    lines[at.line] = lines[at.line].replace(/=\s*"[^"]*"/, `= "${issuer}"`);
    return;
  }
  if (at.vars < 0) {
    lines.push("", "[vars]", `ISSUER = "${issuer}"`);
    return;
  }
  // After the commented example if there is one, else right under [vars].
  let after = at.vars;
  for (let j = at.vars + 1; j < lines.length && !/^\s*\[/.test(lines[j]); j++) {
    if (/^\s*#\s*ISSUER\s*=/.test(lines[j])) after = j;
  }
  lines.splice(after + 1, 0, `ISSUER = "${issuer}"`);
}

/** The rule of src/config.ts: an https origin, nothing after the host (no path, query, fragment). */
function checkIssuer(value) {
  let url;
  try {
    url = new URL(value);
  } catch {
    throw new SetupError(`ISSUER "${value}" is not a URL`);
  }
  const origin = value.replace(/\/+$/, "");
  if (url.protocol !== "https:" || url.origin !== origin || url.username || url.password) {
    throw new SetupError(`ISSUER must be an https origin without path, query or fragment, like https://login.example.com (got "${value}")`);
  }
  return origin;
}

async function loggedIn() {
  const run = await wrangler(["whoami"]);
  const text = run.stdout + run.stderr;
  return run.code === 0 && /You are logged in/.test(text) && !/not authenticated/.test(text);
}

/** The id of the account's namespace titled `title`, if there is one. */
async function existingNamespace(title, configArgs) {
  const run = await wrangler(["kv", "namespace", "list", ...configArgs]);
  if (run.code !== 0) return undefined;
  try {
    return JSON.parse(run.stdout.slice(run.stdout.indexOf("["))).find((ns) => ns.title === title)?.id;
  } catch {
    return undefined;
  }
}

async function createNamespace(binding, configArgs) {
  // A namespace left by an earlier, interrupted run is reused rather than failing on its title.
  const existing = await existingNamespace(binding, configArgs);
  if (existing) return { id: existing, created: false };
  const run = await wrangler(["kv", "namespace", "create", binding, ...configArgs]);
  const id = parseNamespaceId(run.stdout);
  if (run.code !== 0 || !id) {
    throw new SetupError(`wrangler kv namespace create ${binding} failed:\n${run.stdout}${run.stderr}`);
  }
  return { id, created: true };
}

async function secretExists(name, configArgs) {
  const run = await wrangler(["secret", "list", "--format=json", ...configArgs]);
  // Before the first deploy the Worker does not exist, so neither does the secret.
  if (run.code !== 0) return false;
  try {
    return JSON.parse(run.stdout.slice(run.stdout.indexOf("["))).some((s) => s.name === name);
  } catch {
    return false;
  }
}

/**
 * `wrangler dev` reads [vars] too, so the deployed ISSUER would also name the local server. An
 * empty ISSUER in .dev.vars (local only, git-ignored, read by `wrangler dev` over [vars]) keeps
 * local development on the request's origin, as before setup.
 */
function keepLocalIssuer(devVars) {
  const current = existsSync(devVars) ? readFileSync(devVars, "utf8") : "";
  if (/^\s*ISSUER\s*=/m.test(current)) return;
  const separator = current === "" || current.endsWith("\n") ? "" : "\n";
  appendFileSync(devVars, `${separator}# npm run dev: the issuer is the request's origin (ISSUER in wrangler.toml is for the deployment)\nISSUER=\n`);
  console.log(`Wrote ISSUER= to ${devVars} (local development keeps http://localhost:8787 as issuer)`);
}

async function askIssuer() {
  if (!process.stdin.isTTY) throw new SetupError("no ISSUER yet: pass --issuer https://login.example.com");
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await rl.question("Issuer (the https origin users will sign in at, e.g. https://login.example.com): ");
  } finally {
    rl.close();
  }
}

async function main(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        issuer: { type: "string" },
        "keep-admin-token": { type: "boolean" },
        config: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    throw new SetupError(e.message);
  }
  if (values.help) return console.log(HELP);
  const configPath = resolve(values.config ?? join(root, "wrangler.toml"));
  const configArgs = ["--config", configPath];
  // Checked before any call, so a bad flag costs nothing.
  const flagIssuer = values.issuer === undefined ? undefined : checkIssuer(values.issuer);

  if (!(await loggedIn())) {
    throw new SetupError("wrangler is not logged in to Cloudflare. Run `npx wrangler login` (or set CLOUDFLARE_API_TOKEN), then `npm run setup` again.");
  }

  const text = readFileSync(configPath, "utf8");
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const lines = text.split(/\r?\n/);

  for (const binding of BINDINGS) {
    const current = findNamespaceId(lines, binding)?.id;
    if (!isPlaceholder(current)) {
      console.log(`KV ${binding}: kept ${current}`);
      continue;
    }
    const { id, created } = await createNamespace(binding, configArgs);
    setNamespaceId(lines, binding, id);
    console.log(`KV ${binding}: ${created ? "created" : "found"} ${id}`);
  }

  const currentIssuer = findIssuer(lines).value;
  const issuer = flagIssuer ?? (currentIssuer ? checkIssuer(currentIssuer) : checkIssuer((await askIssuer()).trim()));
  if (issuer !== currentIssuer) setIssuer(lines, issuer);
  console.log(`ISSUER: ${issuer}${issuer === currentIssuer ? " (kept)" : ""}`);
  writeFileSync(configPath, lines.join(eol));
  console.log(`Wrote ${configPath}`);
  keepLocalIssuer(join(dirname(configPath), ".dev.vars"));

  if (values["keep-admin-token"]) {
    console.log("ADMIN_TOKEN: left as it is (--keep-admin-token)");
  } else if (await secretExists("ADMIN_TOKEN", configArgs)) {
    console.log("ADMIN_TOKEN: already set as a secret, kept");
  } else {
    const token = randomBytes(32).toString("base64url");
    const run = await wrangler(["secret", "put", "ADMIN_TOKEN", ...configArgs], token);
    if (run.code !== 0) throw new SetupError(`wrangler secret put ADMIN_TOKEN failed:\n${run.stdout}${run.stderr}`);
    console.log(`ADMIN_TOKEN stored as a Worker secret:\n\n  ${token}\n`);
    console.log("Keep it now (a password manager): it is shown only this once, and Cloudflare will not show it again.");
  }

  const host = new URL(issuer).host;
  console.log(
    `\nNext (README "Deployment", steps 3 to 6): set RESOURCES, REGISTRATION and BRAND_* in [vars] if you need them; ` +
      `serve ${host} and only it, in ${configPath}:\n\n` +
      `  routes = [{ pattern = "${host}", custom_domain = true }]\n  workers_dev = false\n\n` +
      "then deploy:\n\n  npm run deploy\n",
  );
}

main(process.argv.slice(2)).catch((e) => {
  console.error(`error: ${e.message}`);
  process.exitCode = 1;
});
