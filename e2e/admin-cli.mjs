// The admin CLI (scripts/admin.js) against the running Gatehouse: each test runs it as a child
// process of this same Node, the way an operator would (`npm run admin -- …`), and reads its
// exit code, its JSON on stdout and its error on stderr. Exit codes: 0 done, 1 the server (or
// the network) refused, 2 a usage error.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { assertCodeResponse, clickAndLandOnClient, reachConsent } from "./flows.mjs";
import { exchangeCode } from "./oauth.mjs";

const script = join(dirname(fileURLToPath(import.meta.url)), "..", "scripts", "admin.js");

/**
 * Runs `node scripts/admin.js …args`; answers { code, stdout, stderr }. The environment is
 * this process's without Gatehouse's variables, plus `env`: nothing leaks in from the shell.
 */
function cli(args, env = {}) {
  const base = { ...process.env };
  for (const name of ["GATEHOUSE_URL", "ADMIN_TOKEN", "GATEHOUSE_PASSWORD"]) delete base[name];
  return new Promise((resolve, reject) => {
    const options = { env: { ...base, ...env }, timeout: 30_000 };
    execFile(process.execPath, [script, ...args], options, (err, stdout, stderr) => {
      // A number is the child's exit code; anything else (a spawn failure, the timeout's
      // signal) is not an answer of the CLI.
      if (err && typeof err.code !== "number") return reject(err);
      resolve({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

/** The CLI with the URL and token of the running Gatehouse in its environment. */
const adminCli = (t, args, env = {}) =>
  cli(args, { GATEHOUSE_URL: t.base, ADMIN_TOKEN: t.admin.token, ...env });

/** Expects exit 0 and answers the JSON printed on stdout. */
function succeeded(run, what) {
  assert.equal(run.code, 0, `${what}: exit ${run.code}, stderr: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** Expects a failure with `code`, nothing on stdout, and a stderr line matching `message`. */
function failed(run, code, message, what) {
  assert.equal(run.code, code, `${what}: exit ${run.code}, stdout: ${run.stdout} stderr: ${run.stderr}`);
  assert.equal(run.stdout, "", `${what}: nothing on stdout`);
  assert.match(run.stderr, /^error: /, what);
  assert.match(run.stderr, message, what);
}

const unique = (prefix) => `${prefix}-${randomBytes(6).toString("hex")}`;

/** `clients add` for a confidential client of the stand-in application. */
async function addClient(t, name) {
  return succeeded(
    await adminCli(t, [
      "clients", "add",
      "--name", name,
      "--redirect-uri", t.rp.redirectUri,
      "--grant-types", "authorization_code,refresh_token",
      "--scope", "openid profile email",
    ]),
    "clients add",
  );
}

export const tests = [
  {
    name: "admin CLI: clients add prints the client with its secret once; list and get show it without; after remove, get fails with the server's 404",
    async run(t) {
      const name = unique("CLI client");
      const added = await addClient(t, name);
      assert.ok(added.client_id, "a client_id");
      assert.ok(added.client_secret, "a client_secret (confidential by default)");
      assert.equal(added.client_name, name);
      assert.deepEqual(added.redirect_uris, [t.rp.redirectUri]);
      assert.deepEqual(added.grant_types, ["authorization_code", "refresh_token"]);
      assert.equal(added.token_endpoint_auth_method, "client_secret_basic");

      // The flags instead of the environment this time.
      const listed = await cli(["--url", t.base, "--token", t.admin.token, "clients", "list"]);
      const { clients } = succeeded(listed, "clients list");
      const entry = clients.find((c) => c.client_id === added.client_id);
      assert.ok(entry, "clients list includes the new client");
      assert.equal(entry.client_name, name);
      assert.ok(!listed.stdout.includes(added.client_secret), "the secret is not listed");
      for (const c of clients) {
        assert.equal(c.client_secret, undefined, `no secret for ${c.client_id}`);
        assert.equal(c.client_secret_hash, undefined, `no secret hash for ${c.client_id}`);
      }

      const got = await adminCli(t, ["clients", "get", added.client_id]);
      const { client_secret: _, ...withoutSecret } = added;
      assert.deepEqual(succeeded(got, "clients get"), withoutSecret);
      assert.ok(!got.stdout.includes(added.client_secret), "get does not show the secret");

      const removed = await adminCli(t, ["clients", "remove", added.client_id]);
      assert.deepEqual(succeeded(removed, "clients remove"), { deleted: added.client_id });
      const gone = await adminCli(t, ["clients", "get", added.client_id]);
      failed(gone, 1, /No such client \(not_found, HTTP 404\)/, "get after remove");
      failed(await adminCli(t, ["clients", "remove", added.client_id]), 1, /HTTP 404/, "remove again");
    },
  },
  {
    name: "admin CLI: users add takes the password from GATEHOUSE_PASSWORD and prints no password or hash; a duplicate username fails with the server's 409",
    async run(t) {
      const username = unique("cli-user");
      const password = randomBytes(12).toString("base64url");
      const args = ["users", "add", "--username", username, "--email", "grace@example.com", "--name", "Grace Hopper"];
      const added = await adminCli(t, args, { GATEHOUSE_PASSWORD: password });
      const user = succeeded(added, "users add");
      assert.ok(user.sub, "a sub");
      assert.equal(user.username, username);
      assert.ok(!added.stdout.includes(password), "the password is not printed");
      for (const key of Object.keys(user)) {
        assert.doesNotMatch(key, /password|hash|salt/i, `no ${key} in the answer`);
      }
      const got = succeeded(await adminCli(t, ["users", "get", user.sub]), "users get");
      assert.equal(got.username, username);

      const again = await adminCli(t, args, { GATEHOUSE_PASSWORD: randomBytes(12).toString("base64url") });
      failed(again, 1, /HTTP 409\)/, "a duplicate username");
      const { users } = succeeded(await adminCli(t, ["users", "list"]), "users list");
      assert.equal(users.filter((u) => u.username === username).length, 1, "still one user of that name");
    },
  },
  {
    name: "admin CLI: a wrong token exits 1 with the server's 401; usage errors exit 2 before any request",
    async run(t) {
      const wrong = await cli(["clients", "list"], { GATEHOUSE_URL: t.base, ADMIN_TOKEN: `wrong-${t.admin.token}` });
      failed(wrong, 1, /\(unauthorized, HTTP 401\)/, "a wrong token");

      // Port 9 (discard) on loopback: if any of these sent a request, it would fail with exit 1,
      // "cannot reach", rather than 2.
      const nowhere = { GATEHOUSE_URL: "http://127.0.0.1:9", ADMIN_TOKEN: "any" };
      const usageErrors = [
        [["clients", "list"], { GATEHOUSE_URL: t.base }, /no admin token/],
        [["frobnicate"], nowhere, /unknown command "frobnicate"/],
        [["clients", "rename", "x"], nowhere, /unknown command "clients rename"/],
        [["clients", "add", "--redirect-uri", t.rp.redirectUri], nowhere, /needs --name/],
        [["clients", "add", "--name", "x"], nowhere, /needs at least one --redirect-uri/],
        [
          ["clients", "add", "--name", "x", "--redirect-uri", t.rp.redirectUri, "--public", "--auth-method", "client_secret_basic"],
          nowhere,
          /--public means --auth-method none/,
        ],
        [["clients", "list", "--username", "x"], nowhere, /--username does not apply to "clients list"/],
        [["clients", "list", "--bogus"], nowhere, /bogus/],
        [["clients", "get"], nowhere, /clients get needs an id/],
        [["clients", "get", "a", "b"], nowhere, /unexpected argument "b"/],
        [["users", "add", "--username", "x"], nowhere, /needs --password or GATEHOUSE_PASSWORD/],
        [["users", "add", "--password", "long enough password"], nowhere, /needs --username/],
      ];
      for (const [args, env, message] of usageErrors) {
        const run = await cli(args, env);
        failed(run, 2, message, args.join(" "));
        assert.match(run.stderr, /Run "npm run admin -- help" for usage\./, args.join(" "));
      }
      // The check above would not notice a request if the unreachable server gave exit 2 too.
      failed(await cli(["clients", "list"], nowhere), 1, /cannot reach Gatehouse at http:\/\/127\.0\.0\.1:9/, "unreachable");
    },
  },
  {
    name: "admin CLI: a client and a user made with the CLI complete an authorization in the browser, and the code buys tokens for that user",
    async run(t, page) {
      const client = await addClient(t, unique("CLI app"));
      const password = randomBytes(12).toString("base64url");
      const user = succeeded(
        await adminCli(t, ["users", "add", "--username", unique("cli-ada"), "--name", "Ada"], {
          GATEHOUSE_PASSWORD: password,
        }),
        "users add",
      );
      const cliT = { ...t, client };
      const request = await reachConsent(cliT, page, { ...user, password });
      const code = assertCodeResponse(cliT, await clickAndLandOnClient(cliT, page, "Allow"), request);
      const token = await exchangeCode(t.base, client, code, request.pkce.verifier);
      assert.equal(token.status, 200, `token endpoint: ${JSON.stringify(token.body)}`);
      const me = await fetch(`${t.base}/api/me`, {
        headers: { Authorization: `Bearer ${token.body.access_token}` },
      });
      assert.equal(me.status, 200, `/api/me: ${me.status}`);
      assert.equal((await me.json()).sub, user.sub, "the tokens are for the user made with the CLI");
    },
  },
  {
    name: "admin CLI: users sessions and users grants show what a sign-in made, and end or revoke it; users password sets the password from GATEHOUSE_PASSWORD",
    async run(t, page) {
      const client = await addClient(t, unique("CLI sessions app"));
      const password = randomBytes(12).toString("base64url");
      const user = succeeded(
        await adminCli(t, ["users", "add", "--username", unique("cli-grace")], { GATEHOUSE_PASSWORD: password }),
        "users add",
      );
      const cliT = { ...t, client };
      const request = await reachConsent(cliT, page, { ...user, password });
      const code = assertCodeResponse(cliT, await clickAndLandOnClient(cliT, page, "Allow"), request);
      assert.equal((await exchangeCode(t.base, client, code, request.pkce.verifier)).status, 200);

      const { sessions } = succeeded(await adminCli(t, ["users", "sessions", user.sub]), "users sessions");
      assert.equal(sessions.length, 1, "the browser's session");
      const { grants } = succeeded(await adminCli(t, ["users", "grants", user.sub]), "users grants");
      assert.deepEqual(grants.map((g) => g.client_id), [client.client_id], "the grant to the client");

      succeeded(await adminCli(t, ["users", "grants", user.sub, "--revoke"]), "users grants --revoke");
      assert.deepEqual(succeeded(await adminCli(t, ["users", "grants", user.sub]), "grants after").grants, []);
      const end = await adminCli(t, ["users", "sessions", user.sub, "--end", sessions[0].sid]);
      assert.deepEqual(succeeded(end, "users sessions --end"), { ended: user.sub, sid: sessions[0].sid });
      assert.deepEqual(succeeded(await adminCli(t, ["users", "sessions", user.sub]), "sessions after").sessions, []);
      failed(await adminCli(t, ["users", "sessions", user.sub, "--end", sessions[0].sid]), 1, /HTTP 404/, "end again");

      const newPassword = randomBytes(12).toString("base64url");
      const set = await adminCli(t, ["users", "password", user.sub], { GATEHOUSE_PASSWORD: newPassword });
      succeeded(set, "users password");
      assert.ok(!set.stdout.includes(newPassword), "the password is not printed");
      failed(await adminCli(t, ["users", "password", "no-such-sub"], { GATEHOUSE_PASSWORD: newPassword }), 1, /HTTP 404/, "unknown user");
    },
  },
];
