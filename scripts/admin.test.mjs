// The admin CLI's own behaviour (scripts/admin.js): output modes, messages, exit codes and the
// requests each command sends. The server here is a small stand-in that records requests and
// answers the admin API's documented shapes; e2e/admin-cli.mjs runs the CLI against Gatehouse.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

const script = join(dirname(fileURLToPath(import.meta.url)), "admin.js");
const TOKEN = "test-admin-token";
const requests = [];
let base;
let server;

const routes = {
  "GET /admin/clients": () => [200, { clients: [{ client_id: "c1", client_name: "Shop", token_endpoint_auth_method: "client_secret_basic", redirect_uris: ["https://shop.example/cb"] }] }],
  "POST /admin/clients": (body) => [201, { client_id: "c2", client_secret: "s3cret-value", ...body }],
  "GET /admin/users/u1/sessions": () => [200, { sessions: [{ sid: "s1", created_at: 1764460800, last_seen_at: 1764464400, expires_at: 1765670400, user_agent: "Firefox" }] }],
  "GET /admin/users/u1/grants": () => [200, { grants: [] }],
  "DELETE /admin/users/u1/sessions/s1": () => [204],
  "DELETE /admin/users/u1/grants": () => [204],
  "PUT /admin/users/u1/password": () => [204],
  "GET /admin/users/nobody": () => [404, { error: "not_found", error_description: "No such user" }],
};

before(async () => {
  server = createServer(async (req, res) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    const body = text ? JSON.parse(text) : undefined;
    requests.push({ method: req.method, url: req.url, body });
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { "Content-Type": "application/json" });
      return res.end(JSON.stringify({ error: "unauthorized", error_description: "Admin token required" }));
    }
    const route = routes[`${req.method} ${req.url.split("?")[0]}`];
    const [status, json] = route ? route(body) : [404, { error: "not_found" }];
    res.writeHead(status, json ? { "Content-Type": "application/json" } : {});
    res.end(json ? JSON.stringify(json) : undefined);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => server.close());

/** Runs the CLI (stdout a pipe, so JSON unless --table); answers { code, stdout, stderr }. */
function cli(args, env = {}) {
  const clean = { ...process.env };
  for (const name of ["GATEHOUSE_URL", "ADMIN_TOKEN", "GATEHOUSE_PASSWORD"]) delete clean[name];
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { env: { ...clean, GATEHOUSE_URL: base, ADMIN_TOKEN: TOKEN, ...env }, timeout: 20_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? err.code : 0, stdout, stderr }),
    );
  });
}

test("clients list: JSON when piped, a table with --table", async () => {
  const json = await cli(["clients", "list"]);
  assert.equal(json.code, 0, json.stderr);
  assert.equal(JSON.parse(json.stdout).clients[0].client_id, "c1");
  const table = await cli(["clients", "list", "--table"]);
  assert.equal(table.code, 0, table.stderr);
  const lines = table.stdout.trimEnd().split("\n");
  assert.match(lines[0], /^client_id\s+client_name\s+token_endpoint_auth_method\s+redirect_uris$/);
  assert.match(lines[1], /^-+\s+-+/);
  assert.match(lines[2], /^c1\s+Shop\s+client_secret_basic\s+https:\/\/shop\.example\/cb$/);
  assert.equal((await cli(["clients", "list", "--table", "--json"])).code, 2);
});

test("clients add: the secret is printed once, with a warning on stderr (stdout stays JSON)", async () => {
  const run = await cli(["clients", "add", "--name", "App", "--redirect-uri", "https://app.example/cb"]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(JSON.parse(run.stdout).client_secret, "s3cret-value");
  assert.match(run.stderr, /^warning: the client_secret is shown only this once/);
  assert.deepEqual(requests.at(-1).body, { client_name: "App", redirect_uris: ["https://app.example/cb"] });
});

test("clients add: a machine client (client_credentials) needs no --redirect-uri; any other client does", async () => {
  const args = ["clients", "add", "--name", "Nightly job", "--grant-types", "client_credentials", "--scope", "reports:read"];
  const run = await cli(args);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(requests.at(-1).body, {
    client_name: "Nightly job",
    grant_types: ["client_credentials"],
    scope: "reports:read",
  });
  const count = requests.length;
  for (const grants of [[], ["--grant-types", "authorization_code,client_credentials"]]) {
    const refused = await cli(["clients", "add", "--name", "App", ...grants]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /needs at least one --redirect-uri/);
  }
  assert.equal(requests.length, count);
});

test("users sessions, grants and password send the admin API's requests", async () => {
  const table = await cli(["users", "sessions", "u1", "--table"]);
  assert.match(table.stdout, /^s1\s+2025-11-30T00:00:00Z\s+2025-11-30T01:00:00Z\s+2025-12-14T00:00:00Z\s+Firefox$/m);
  const end = await cli(["users", "sessions", "u1", "--end", "s1"]);
  assert.equal(end.code, 0, end.stderr);
  assert.deepEqual(JSON.parse(end.stdout), { ended: "u1", sid: "s1" });
  assert.deepEqual(requests.at(-1), { method: "DELETE", url: "/admin/users/u1/sessions/s1", body: undefined });

  assert.equal((await cli(["users", "grants", "u1", "--table"])).stdout.trim(), "(no grants)");
  assert.equal((await cli(["users", "grants", "u1", "--revoke"])).code, 0);
  assert.deepEqual(requests.at(-1), { method: "DELETE", url: "/admin/users/u1/grants", body: undefined });

  const pw = await cli(["users", "password", "u1", "--end-grants"], { GATEHOUSE_PASSWORD: "a long new password" });
  assert.equal(pw.code, 0, pw.stderr);
  assert.ok(!pw.stdout.includes("a long new password"));
  assert.deepEqual(requests.at(-1), {
    method: "PUT",
    url: "/admin/users/u1/password",
    body: { password: "a long new password", end_grants: true },
  });
  // No password and no terminal to ask on: a usage error before any request.
  const count = requests.length;
  const none = await cli(["users", "password", "u1"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /needs GATEHOUSE_PASSWORD/);
  assert.equal(requests.length, count);
});

test("a wrong token, a missing user and an unreachable server: exit 1 with a message that says what to do", async () => {
  const wrong = await cli(["users", "list"], { ADMIN_TOKEN: "wrong" });
  assert.equal(wrong.code, 1);
  assert.equal(wrong.stdout, "");
  assert.match(wrong.stderr, /\(unauthorized, HTTP 401\)\nThe admin token was refused/);
  const missing = await cli(["users", "get", "nobody"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^error: No such user \(not_found, HTTP 404\)$/m);
  // A port that was just free: nothing listens there.
  const probe = createServer();
  await new Promise((r) => probe.listen(0, "127.0.0.1", r));
  const closed = `http://127.0.0.1:${probe.address().port}`;
  await new Promise((r) => probe.close(r));
  const down = await cli(["keys", "rotate"], { GATEHOUSE_URL: closed });
  assert.equal(down.code, 1);
  assert.equal(down.stderr, `error: cannot reach Gatehouse at ${closed} (ECONNREFUSED): is \`npm run dev\` running?\n`);
});

test("--help per command and help COMMAND print that command's usage, exit 0, no request", async () => {
  const count = requests.length;
  for (const args of [["users", "grants", "--help"], ["help", "users", "grants"]]) {
    const run = await cli(args);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Usage: npm run admin -- users grants SUB \[--revoke\]/);
  }
  assert.equal((await cli(["help", "users", "frobnicate"])).code, 2);
  assert.equal(requests.length, count);
});
