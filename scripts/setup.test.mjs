// npm run setup (scripts/setup.mjs) against a fake wrangler (scripts/test/fake-wrangler.mjs) on
// a temporary copy of wrangler.toml: which wrangler calls it makes, what it writes, and that a
// second run changes nothing. Run by `npm run test:scripts` (node:test).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repoToml = join(here, "..", "wrangler.toml");

/** A temporary wrangler.toml, a fake account and a call log. */
function sandbox(t, accountState = {}) {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-setup-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const toml = join(dir, "wrangler.toml");
  copyFileSync(repoToml, toml);
  const state = join(dir, "state.json");
  writeFileSync(state, JSON.stringify({ loggedIn: true, namespaces: [], secrets: {}, workerExists: false, ...accountState }));
  const log = join(dir, "calls.jsonl");
  writeFileSync(log, "");
  const setup = (args) =>
    new Promise((resolve) => {
      const env = {
        ...process.env,
        GATEHOUSE_WRANGLER: join(here, "test", "fake-wrangler.mjs"),
        FAKE_WRANGLER_STATE: state,
        FAKE_WRANGLER_LOG: log,
      };
      execFile(process.execPath, [join(here, "setup.mjs"), "--config", toml, ...args], { env, timeout: 30_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? err.code : 0, stdout, stderr }),
      );
    });
  const calls = () => readFileSync(log, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
  const account = () => JSON.parse(readFileSync(state, "utf8"));
  const devVars = () => readFileSync(join(dir, ".dev.vars"), "utf8");
  return { toml, setup, calls, account, devVars, read: () => readFileSync(toml, "utf8") };
}

const kvId = (toml, binding) =>
  new RegExp(`binding = "${binding}"\\nid = "([^"]*)"`).exec(toml)?.[1];
const commands = (calls) => calls.map((c) => c.args.filter((a) => !a.startsWith("--") && !a.includes("/")).join(" "));

test("setup creates the namespaces, writes their ids and ISSUER in place, stores ADMIN_TOKEN; a second run changes nothing", async (t) => {
  const s = sandbox(t);
  const before = s.read();
  const first = await s.setup(["--issuer", "https://login.example.com/"]);
  assert.equal(first.code, 0, first.stderr);
  const account = s.account();
  const after = s.read();
  for (const binding of ["CLIENTS", "TOKENS", "USERS"]) {
    const ns = account.namespaces.find((n) => n.title === binding);
    assert.ok(ns, `namespace ${binding} created`);
    assert.equal(kvId(after, binding), ns.id, `${binding}'s id written`);
  }
  assert.match(after, /^ISSUER = "https:\/\/login\.example\.com"$/m, "ISSUER set, trailing slash dropped");
  // Only the three id lines changed and one ISSUER line came in: comments and order stay.
  const removed = before.split("\n").filter((l) => !after.split("\n").includes(l));
  const added = after.split("\n").filter((l) => !before.split("\n").includes(l));
  assert.equal(removed.length, 3, `removed: ${removed}`);
  assert.ok(removed.every((l) => /^id = "0+\d"$/.test(l)));
  assert.equal(added.length, 4, `added: ${added}`);
  assert.ok(after.includes("# Client registrations (RFC 7591 metadata, secrets hashed)."));
  // wrangler dev reads .dev.vars over [vars]: an empty ISSUER keeps local development on its origin.
  assert.match(s.devVars(), /^ISSUER=$/m);
  const devVars = s.devVars();

  const token = account.secrets.ADMIN_TOKEN;
  assert.match(token, /^[A-Za-z0-9_-]{43}$/, "32 random bytes, base64url, through stdin");
  assert.ok(first.stdout.includes(token), "the token is printed once");
  assert.match(first.stdout, /shown only this once/);
  assert.match(first.stdout, /npm run deploy/);
  // The next steps name the issuer's host as the only one served (README "Deployment" step 4).
  assert.match(first.stdout, /routes = \[\{ pattern = "login\.example\.com", custom_domain = true \}\]/);
  assert.match(first.stdout, /workers_dev = false/);
  assert.ok(!s.calls().some((c) => c.args.includes(token)), "the token is never an argument");
  assert.deepEqual(commands(s.calls()), [
    "whoami",
    "kv namespace list", "kv namespace create CLIENTS",
    "kv namespace list", "kv namespace create TOKENS",
    "kv namespace list", "kv namespace create USERS",
    "secret list",
    "secret put ADMIN_TOKEN",
  ]);

  const callsBefore = s.calls().length;
  const second = await s.setup([]);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(s.read(), after, "wrangler.toml unchanged");
  assert.equal(s.devVars(), devVars, ".dev.vars unchanged");
  assert.equal(s.account().secrets.ADMIN_TOKEN, token, "the secret kept");
  assert.equal(s.account().namespaces.length, 3, "no namespace created");
  assert.deepEqual(commands(s.calls().slice(callsBefore)), ["whoami", "secret list"]);
  assert.ok(!second.stdout.includes(token), "the token is not shown again");
  assert.match(second.stdout, /already set as a secret, kept/);
});

test("--issuer replaces a set issuer; --keep-admin-token stores no secret; namespaces left by an earlier run are reused", async (t) => {
  const s = sandbox(t, { namespaces: [{ id: "a".repeat(32), title: "CLIENTS" }] });
  const run = await s.setup(["--issuer", "https://one.example.com", "--keep-admin-token"]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(kvId(s.read(), "CLIENTS"), "a".repeat(32));
  assert.equal(s.account().namespaces.length, 3);
  assert.deepEqual(s.account().secrets, {});
  assert.ok(!commands(s.calls()).some((c) => c.startsWith("secret")), "no secret call");
  const again = await s.setup(["--issuer", "https://two.example.com", "--keep-admin-token"]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(s.read(), /^ISSUER = "https:\/\/two\.example\.com"$/m);
  assert.equal(s.read().match(/^ISSUER =/gm).length, 1, "one ISSUER line");
});

test("not logged in: explains wrangler login and touches nothing; a bad issuer is refused before any call", async (t) => {
  const s = sandbox(t, { loggedIn: false });
  const before = s.read();
  const run = await s.setup(["--issuer", "https://login.example.com"]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /not logged in.*wrangler login/);
  assert.deepEqual(commands(s.calls()), ["whoami"]);
  assert.equal(s.read(), before);

  for (const bad of ["http://login.example.com", "https://example.com/auth", "https://example.com?x=1", "login.example.com"]) {
    const refused = await s.setup(["--issuer", bad]);
    assert.equal(refused.code, 1, bad);
    assert.match(refused.stderr, /ISSUER/, bad);
  }
  assert.deepEqual(commands(s.calls()), ["whoami"], "no wrangler call for a bad issuer");
  assert.equal(s.read(), before);
});

test("no issuer and no terminal: asks for --issuer instead of guessing", async (t) => {
  const s = sandbox(t);
  const run = await s.setup([]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /pass --issuer/);
  assert.equal(s.account().secrets.ADMIN_TOKEN, undefined);
});
