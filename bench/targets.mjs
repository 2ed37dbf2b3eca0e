// The three workers the benchmark drives, each with the same four-request "flow" so that their
// rates and CPU per flow compare one to one:
//   gatehouse: authorize (session + remembered consent) → token (code) → GET /api/me → token (refresh)
//   peer:      the same four steps against @cloudflare/workers-oauth-provider (auto-approving)
//   floor:     GET / → DO round trip → GET / → DO round trip (a bare Hono worker)
// setup(server, users) prepares one state per concurrent user; flow(state, step) runs one flow,
// timing each request through step(name, () => fetch(...)).
import { createHash, randomBytes } from "node:crypto";

const b64u = (buf) => Buffer.from(buf).toString("base64url");
export const REDIRECT_URI = "https://rp.example/cb";

export class Jar {
  cookies = new Map();
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  /** A copy that can take other cookies without touching this one. */
  clone() {
    const copy = new Jar();
    copy.cookies = new Map(this.cookies);
    return copy;
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
export const field = (page, name) => {
  const m = hidden(page, name);
  return (m?.[1] ?? m?.[2] ?? "").replaceAll("&amp;", "&").replaceAll("&quot;", '"');
};

export function pkce() {
  const verifier = b64u(randomBytes(32));
  return { verifier, challenge: b64u(createHash("sha256").update(verifier).digest()) };
}

export const basicAuth = (id, secret) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`;
export const form = { "Content-Type": "application/x-www-form-urlencoded" };

/** authorize → token → API → refresh, shared by Gatehouse and the peer (they differ in paths). */
async function oauthFlow({ base, client, cookie, tokenPath, apiPath, scope }, step) {
  const { verifier, challenge } = pkce();
  const auth = basicAuth(client.client_id, client.client_secret);
  const query = new URLSearchParams({ response_type: "code", client_id: client.client_id, redirect_uri: REDIRECT_URI, scope, state: "s", code_challenge: challenge, code_challenge_method: "S256" });
  const authorize = await step("authorize", () => fetch(`${base}/authorize?${query}`, { redirect: "manual", headers: { Cookie: cookie() } }));
  await authorize.arrayBuffer();
  const location = authorize.headers.get("location");
  const code = location && new URL(location).searchParams.get("code");
  if (!code) throw new Error(`authorize gave no code (${authorize.status})`);
  const tokenRes = await step("token (code)", () =>
    fetch(`${base}${tokenPath}`, { method: "POST", headers: { Authorization: auth, ...form }, body: new URLSearchParams({ grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: REDIRECT_URI }) }),
  );
  const tokens = await tokenRes.json();
  if (!tokens.access_token || !tokens.refresh_token) throw new Error(`token: ${JSON.stringify(tokens)}`);
  const api = await step("API GET", () => fetch(`${base}${apiPath}`, { headers: { Authorization: `Bearer ${tokens.access_token}` } }));
  if (api.status !== 200) throw new Error(`${apiPath} answered ${api.status}: ${await api.text()}`);
  await api.arrayBuffer();
  const refreshed = await step("token (refresh)", () =>
    fetch(`${base}${tokenPath}`, { method: "POST", headers: { Authorization: auth, ...form }, body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: tokens.refresh_token }) }),
  );
  if (refreshed.status !== 200) throw new Error(`refresh answered ${refreshed.status}: ${await refreshed.text()}`);
  await refreshed.arrayBuffer();
}

/**
 * Gatehouse's client and users for the flow, asking `scope`: "read", as the peer's flow does (plain
 * OAuth 2.0: no ID token), or "openid profile" (OpenID Connect: an RS256 ID token at the code
 * exchange and at every refresh, which the peer does not issue).
 */
const gatehouseSetup = (scope) => async ({ base, adminToken }, users) => {
  const adminHeaders = { Authorization: `Bearer ${adminToken}`, "Content-Type": "application/json" };
  const clientRes = await fetch(`${base}/admin/clients`, {
    method: "POST",
    headers: adminHeaders,
    body: JSON.stringify({ client_name: "Bench", redirect_uris: [REDIRECT_URI], grant_types: ["authorization_code", "refresh_token"], scope }),
  });
  if (!clientRes.ok) throw new Error(`admin/clients answered ${clientRes.status}`);
  const client = await clientRes.json();
  const states = [];
  // One user per concurrent client, each with one interactive login and consent, so that the
  // measured loop is the returning user's path and users do not share a Durable Object.
  for (let i = 0; i < users; i++) {
    const username = `bench${i}`;
    const password = b64u(randomBytes(16));
    const userRes = await fetch(`${base}/admin/users`, { method: "POST", headers: adminHeaders, body: JSON.stringify({ username, password }) });
    if (!userRes.ok) throw new Error(`admin/users answered ${userRes.status}`);
    const jar = new Jar();
    const { challenge } = pkce();
    const url = `${base}/authorize?${new URLSearchParams({ response_type: "code", client_id: client.client_id, redirect_uri: REDIRECT_URI, scope, state: "s", code_challenge: challenge, code_challenge_method: "S256" })}`;
    let res = await fetch(url, { redirect: "manual" });
    jar.store(res);
    let page = await res.text();
    const body = (p, extra) => new URLSearchParams({ request: field(p, "request"), csrf: field(p, "csrf"), ...extra });
    res = await fetch(`${base}/authorize/login`, { method: "POST", redirect: "manual", headers: { ...form, Cookie: jar.header() }, body: body(page, { username, password }) });
    jar.store(res);
    page = await res.text();
    res = await fetch(`${base}/authorize/consent`, { method: "POST", redirect: "manual", headers: { ...form, Cookie: jar.header() }, body: body(page, { decision: "allow" }) });
    if (res.status !== 303) throw new Error(`setup: consent answered ${res.status}`);
    jar.store(res);
    states.push({ base, client, jar, username, password, cookie: () => jar.header(), tokenPath: "/token", apiPath: "/api/me", scope });
  }
  return states;
};

async function peerSetup({ base }, users) {
  const res = await fetch(`${base}/oauth/register`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ client_name: "Bench", redirect_uris: [REDIRECT_URI], grant_types: ["authorization_code", "refresh_token"], token_endpoint_auth_method: "client_secret_basic" }),
  });
  if (!res.ok) throw new Error(`peer registration answered ${res.status}: ${await res.text()}`);
  const client = await res.json();
  return Array.from({ length: users }, (_, i) => ({ base, client, cookie: () => `bench_user=bench${i}`, tokenPath: "/oauth/token", apiPath: "/api/me", scope: "read" }));
}

async function floorFlow({ base, user }, step) {
  for (const round of [1, 2]) {
    const plain = await step(`GET / (${round})`, () => fetch(`${base}/`));
    if (plain.status !== 200) throw new Error(`GET / answered ${plain.status}`);
    await plain.arrayBuffer();
    const object = await step(`DO round trip (${round})`, () => fetch(`${base}/do?u=${user}`, { method: "POST" }));
    if (object.status !== 200) throw new Error(`/do answered ${object.status}`);
    await object.arrayBuffer();
  }
}

export const TARGETS = [
  // Open registration only so that the per-endpoint phase can measure POST /register; the flow never registers.
  // The comparison: the same OAuth 2.0 flow as the peer's, scope "read".
  { name: "gatehouse", label: "Gatehouse (OAuth, as the peer)", config: undefined, vars: {}, readyPath: "/.well-known/oauth-authorization-server", setup: gatehouseSetup("read"), flow: oauthFlow },
  // The same flow with OpenID Connect: what ID tokens cost. The per-endpoint phase runs here
  // (/userinfo needs an openid token); open registration only so that it can measure POST
  // /register (the flow never registers).
  { name: "gatehouse-oidc", label: "Gatehouse with OpenID Connect (ID tokens)", config: undefined, vars: { REGISTRATION: "open" }, readyPath: "/.well-known/oauth-authorization-server", setup: gatehouseSetup("openid profile"), flow: oauthFlow },
  { name: "peer", label: "workers-oauth-provider 1.2.3", config: "bench/peer/wrangler.toml", readyPath: "/.well-known/oauth-authorization-server", setup: peerSetup, flow: oauthFlow },
  { name: "floor", label: "runtime floor (Hono + DO)", config: "bench/floor/wrangler.toml", readyPath: "/", setup: async ({ base }, users) => Array.from({ length: users }, (_, i) => ({ base, user: `u${i}` })), flow: floorFlow },
];
