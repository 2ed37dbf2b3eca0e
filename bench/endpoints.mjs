// Per-endpoint CPU (issue 14: "every endpoint except password hashing well under 10 ms CPU").
// One kind of request at a time: whatever a request needs (a code, a refresh token, a login
// page) is prepared first, outside the measured span; then N requests of that one kind run at low
// concurrency, and the target's workerd CPU over that span ÷ N is the endpoint's CPU per request.
// The floor's `GET /` is measured the same way: what workerd and wrangler's proxy cost for a
// request that does nothing, to subtract. See bench/README.md "Per-endpoint CPU".
import { CLK_TCK, treeCpu } from "./cpu.mjs";
import { basicAuth, field, form, Jar, pkce, REDIRECT_URI } from "./targets.mjs";

/** Workers' Free plan: 10 ms of CPU per request. */
export const CPU_LIMIT_MS = 10;
/** Time for work a response leaves behind (waitUntil, storage flushes) to finish in the span. */
const SETTLE_MS = 100;
/** Requests of each kind run before the measured span: the isolate's caches and the JIT warm. */
export const WARM = 3;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct50 = (xs) => [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(xs.length / 2) - 1)];

async function expectStatus(res, expected, what) {
  if (!expected.includes(res.status)) throw new Error(`${what} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
}

/**
 * Measures one endpoint on `server`: `prepare(n)` (not measured) gives one input per request;
 * `send(input)` makes the request and checks its answer (it may return what a later endpoint
 * needs, collected in `outputs`).
 */
async function measure(server, endpoint, n, concurrency) {
  const inputs = await endpoint.prepare(n + WARM);
  for (const input of inputs.slice(0, WARM)) await endpoint.send(input);
  const measured = inputs.slice(WARM);
  await sleep(SETTLE_MS);
  const cpu0 = treeCpu(server.pid);
  const times = [];
  const outputs = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, measured.length) }, async () => {
      while (next < measured.length) {
        const input = measured[next++];
        const t0 = performance.now();
        outputs.push(await endpoint.send(input));
        times.push(performance.now() - t0);
      }
    }),
  );
  await sleep(SETTLE_MS);
  const cpu1 = treeCpu(server.pid);
  const ticks = cpu0 && cpu1?.workerdPids.length ? cpu1.workerd - cpu0.workerd : null;
  return {
    result: {
      endpoint: endpoint.name,
      exempt: endpoint.exempt ?? null,
      requests: measured.length,
      cpuMsPerRequest: ticks === null ? null : ((ticks / CLK_TCK) * 1000) / measured.length,
      p50Ms: pct50(times),
    },
    outputs,
  };
}

/** An authorization request for `state`'s user and client; the verifier goes with it. */
function authorizeUrl(state, extra = {}) {
  const { verifier, challenge } = pkce();
  const query = new URLSearchParams({ response_type: "code", client_id: state.client.client_id, redirect_uri: REDIRECT_URI, scope: state.scope, state: "s", code_challenge: challenge, code_challenge_method: "S256", ...extra });
  return { url: `${state.base}/authorize?${query}`, verifier };
}

/** The code of a returning user's authorization (session and remembered consent). */
async function authorizeCode(state) {
  const { url, verifier } = authorizeUrl(state);
  const res = await fetch(url, { redirect: "manual", headers: { Cookie: state.cookie() } });
  await res.arrayBuffer();
  const code = new URL(res.headers.get("location") ?? "about:blank").searchParams.get("code");
  if (!code) throw new Error(`authorize gave no code (${res.status})`);
  return { state, code, verifier };
}

const round = (states, n) => Array.from({ length: n }, (_, i) => states[i % states.length]);
const inSequence = async (items, fn) => {
  const out = [];
  for (const item of items) out.push(await fn(item));
  return out;
};
const tokenRequest = (state, body) => fetch(`${state.base}/token`, { method: "POST", headers: { Authorization: basicAuth(state.client.client_id, state.client.client_secret), ...form }, body: new URLSearchParams(body) });

/**
 * Gatehouse's endpoints, in an order where each may use what an earlier one returned (the code
 * exchange's refresh tokens are refreshed, the refreshed ones revoked). `states` are the users
 * of bench/targets.mjs gatehouseSetup (each signed in, with a remembered consent).
 */
async function gatehouseEndpoints(server, states, { n, loginN, concurrency, onResult }) {
  const base = server.base;
  const admin = { Authorization: `Bearer ${server.adminToken}`, "Content-Type": "application/json" };
  const metadata = await (await fetch(`${base}/.well-known/openid-configuration`)).json();
  const machineRes = await fetch(`${base}/admin/clients`, { method: "POST", headers: admin, body: JSON.stringify({ client_name: "Bench machine", grant_types: ["client_credentials"], scope: "reports:read" }) });
  await expectStatus(machineRes, [201], "admin/clients (client_credentials)");
  const machine = await machineRes.json();

  const run = async (endpoint, count = n) => {
    const { result, outputs } = await measure(server, endpoint, count, concurrency);
    onResult(result);
    return outputs;
  };
  const get = (name, path, status = [200], headers = {}) => ({
    name,
    prepare: async (k) => Array.from({ length: k }),
    send: async () => {
      const res = await fetch(`${base}${path}`, { headers });
      await expectStatus(res, status, name);
      await res.arrayBuffer();
    },
  });

  await run(get("GET /.well-known/openid-configuration", "/.well-known/openid-configuration"));
  await run(get("GET /jwks.json", new URL(metadata.jwks_uri).pathname));
  await run({
    name: "GET /authorize (session + consent → redirect)",
    prepare: async (k) => round(states, k),
    send: async (state) => {
      const res = await fetch(authorizeUrl(state).url, { redirect: "manual", headers: { Cookie: state.cookie() } });
      await expectStatus(res, [302, 303], "authorize");
      await res.arrayBuffer();
      if (!new URL(res.headers.get("location")).searchParams.get("code")) throw new Error("authorize gave no code");
    },
  });
  await run({
    name: "GET /authorize (no session → login page)",
    prepare: async (k) => round(states, k),
    send: async (state) => {
      const res = await fetch(authorizeUrl(state).url, { redirect: "manual" });
      await expectStatus(res, [200], "authorize without a session");
      await res.arrayBuffer();
    },
  });
  // The password form: one PBKDF2 per attempt, by design (reported apart, fewer requests).
  await run(
    {
      name: "POST /authorize/login (password)",
      exempt: "password hashing (PBKDF2)",
      prepare: (k) =>
        inSequence(round(states, k), async (state) => {
          const jar = new Jar();
          const res = await fetch(authorizeUrl(state).url, { redirect: "manual" });
          jar.store(res);
          const page = await res.text();
          return { state, jar, body: new URLSearchParams({ request: field(page, "request"), csrf: field(page, "csrf"), username: state.username, password: state.password }) };
        }),
      send: async ({ state, jar, body }) => {
        const res = await fetch(`${state.base}/authorize/login`, { method: "POST", redirect: "manual", headers: { ...form, Cookie: jar.header() }, body });
        await expectStatus(res, [200, 302, 303], "login");
        await res.arrayBuffer();
      },
    },
    loginN,
  );
  await run({
    name: "POST /authorize/consent (allow)",
    prepare: (k) =>
      inSequence(round(states, k), async (state) => {
        // prompt=consent asks again although the consent is remembered (OIDC Core §3.1.2.1).
        const jar = state.jar.clone();
        const res = await fetch(authorizeUrl(state, { prompt: "consent" }).url, { redirect: "manual", headers: { Cookie: jar.header() } });
        await expectStatus(res, [200], "authorize with prompt=consent");
        jar.store(res);
        const page = await res.text();
        return { state, jar, body: new URLSearchParams({ request: field(page, "request"), csrf: field(page, "csrf"), decision: "allow" }) };
      }),
    send: async ({ state, jar, body }) => {
      const res = await fetch(`${state.base}/authorize/consent`, { method: "POST", redirect: "manual", headers: { ...form, Cookie: jar.header() }, body });
      await expectStatus(res, [303], "consent");
      await res.arrayBuffer();
    },
  });
  const issued = await run({
    name: "POST /token (authorization_code)",
    prepare: (k) => inSequence(round(states, k), authorizeCode),
    send: async ({ state, code, verifier }) => {
      const res = await tokenRequest(state, { grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: REDIRECT_URI });
      await expectStatus(res, [200], "token (code)");
      return { state, tokens: await res.json() };
    },
  });
  // `k` token responses: those an earlier endpoint gave, topped up by new code exchanges (the
  // warm-up requests need a few more than were measured).
  const tokensFor = async (k, given) => {
    const pending = given.slice(0, k);
    while (pending.length < k) {
      const { state, code, verifier } = await authorizeCode(states[pending.length % states.length]);
      const res = await tokenRequest(state, { grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: REDIRECT_URI });
      await expectStatus(res, [200], "token (code)");
      pending.push({ state, tokens: await res.json() });
    }
    return pending;
  };
  const refreshed = await run({
    name: "POST /token (refresh_token)",
    prepare: (k) => tokensFor(k, issued),
    send: async ({ state, tokens }) => {
      const res = await tokenRequest(state, { grant_type: "refresh_token", refresh_token: tokens.refresh_token });
      await expectStatus(res, [200], "token (refresh)");
      return { state, tokens: await res.json() };
    },
  });
  await run({
    name: "POST /token (client_credentials)",
    prepare: async (k) => Array.from({ length: k }),
    send: async () => {
      const res = await fetch(`${base}/token`, { method: "POST", headers: { Authorization: basicAuth(machine.client_id, machine.client_secret), ...form }, body: new URLSearchParams({ grant_type: "client_credentials", scope: "reports:read" }) });
      await expectStatus(res, [200], "token (client_credentials)");
      await res.arrayBuffer();
    },
  });
  // Access tokens are reusable: one per user serves every request of the next three.
  const live = refreshed.filter(Boolean).slice(0, states.length);
  const bearer = (k) => round(live, k);
  await run({
    name: "GET /api/me",
    prepare: async (k) => bearer(k),
    send: async ({ tokens }) => {
      const res = await fetch(`${base}/api/me`, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
      await expectStatus(res, [200], "/api/me");
      await res.arrayBuffer();
    },
  });
  await run({
    name: "GET /userinfo",
    prepare: async (k) => bearer(k),
    send: async ({ tokens }) => {
      const res = await fetch(`${base}/userinfo`, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
      await expectStatus(res, [200], "/userinfo");
      await res.arrayBuffer();
    },
  });
  await run({
    name: "POST /introspect (access token)",
    prepare: async (k) => bearer(k),
    send: async ({ state, tokens }) => {
      const res = await fetch(`${base}/introspect`, { method: "POST", headers: { Authorization: basicAuth(state.client.client_id, state.client.client_secret), ...form }, body: new URLSearchParams({ token: tokens.access_token }) });
      await expectStatus(res, [200], "introspect");
      if ((await res.json()).active !== true) throw new Error("introspect: the token is not active");
    },
  });
  await run({
    name: "POST /revoke (refresh token)",
    prepare: (k) => tokensFor(k, refreshed),
    send: async ({ state, tokens }) => {
      const res = await fetch(`${base}/revoke`, { method: "POST", headers: { Authorization: basicAuth(state.client.client_id, state.client.client_secret), ...form }, body: new URLSearchParams({ token: tokens.refresh_token, token_type_hint: "refresh_token" }) });
      await expectStatus(res, [200], "revoke");
      await res.arrayBuffer();
    },
  });
  // Only where the deployment serves it (bench/targets.mjs opens it with --var REGISTRATION:open).
  if (!metadata.registration_endpoint) return;
  await run({
    name: "POST /register (open registration)",
    prepare: async (k) => Array.from({ length: k }),
    send: async () => {
      const res = await fetch(`${base}/register`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ client_name: "Bench registered", redirect_uris: [REDIRECT_URI], grant_types: ["authorization_code", "refresh_token"] }) });
      await expectStatus(res, [201], "register");
      await res.arrayBuffer();
    },
  });
}

/**
 * Runs the per-endpoint phase on the targets that have one (Gatehouse, and the floor's `GET /`).
 * `runs`: bench/run.js's prepared targets ({ target, server, states }).
 */
export async function measureEndpoints(runs, { n, loginN, concurrency }) {
  const results = {};
  for (const run of runs) {
    const rows = (results[run.target.name] = []);
    const onResult = (r) => {
      rows.push(r);
      console.error(`[${run.target.name}] ${r.endpoint}: ${r.cpuMsPerRequest?.toFixed(2) ?? "–"} ms CPU per request (${r.requests} requests)`);
    };
    if (run.target.name === "gatehouse-oidc") {
      await gatehouseEndpoints(run.server, run.states, { n, loginN, concurrency, onResult });
    } else if (run.target.name === "floor") {
      const { result } = await measure(
        run.server,
        {
          name: "GET / (floor: a plain Hono response)",
          prepare: async (k) => Array.from({ length: k }),
          send: async () => {
            const res = await fetch(`${run.server.base}/`);
            await expectStatus(res, [200], "floor GET /");
            await res.arrayBuffer();
          },
        },
        n,
        concurrency,
      );
      onResult(result);
    }
  }
  return results;
}
