/**
 * Generated requests for the rest: dynamic registration, metadata and keys, the admin API, and
 * plain garbage (any method, path, header and body) anywhere.
 */
import fc from "fast-check";
import { deployment } from "../helpers/deployment";
import { testAddress } from "../helpers/flow";
import { ADMIN_TOKEN } from "../helpers/http";
import { type Sent, type Twist, applyTwist, breaks, draft, garbage, sometimes, twist } from "./draft";
import { type World, addSecret } from "./world";

const openRegistration = deployment({ REGISTRATION: "open" });

const REDIRECTS = [
  "https://app.example/cb", "http://127.0.0.1/cb", "http://[::1]:8080/cb", "com.example.app:/cb",
  "http://app.example/cb", "https://app.example/cb#x", "javascript:alert(1)", "data:text/html,x",
  "https://user:pw@app.example/cb", "https://app.example/c b", "https:/\\evil.example", "file:///etc/passwd",
  "https://*.example/cb", "//app.example/cb", "/cb", "", "HTTPS://APP.EXAMPLE/CB", "vbscript:x",
];

const value = fc.oneof(
  garbage.map((s) => s as unknown),
  fc.constantFrom<unknown>(null, 1, true, [], {}, ["x"], { a: 1 }),
);

export interface RegisterRecipe {
  closed: boolean;
  fields: Record<string, unknown>;
  encoding: "json" | "form" | "raw" | "json-text";
  raw: string;
  bearer: string | null;
  ip: number;
}

/** Valid metadata, with a few fields replaced now and then (each mostly left alone). */
const metadataOverlay = fc.record({
  redirect_uris: sometimes(fc.oneof(fc.array(fc.oneof(fc.constantFrom(...REDIRECTS), garbage), { maxLength: 3 }), value)),
  token_endpoint_auth_method: sometimes(fc.oneof(fc.constantFrom("none", "client_secret_post", "private_key_jwt", "NONE"), value)),
  grant_types: sometimes(fc.oneof(fc.constant(["refresh_token"]), fc.array(garbage, { maxLength: 2 }), value)),
  client_name: sometimes(value),
  scope: sometimes(fc.oneof(fc.constantFrom("openid", "openid admin", ""), value)),
  jwks_uri: sometimes(value),
});

export const registerRecipe: fc.Arbitrary<RegisterRecipe> = fc.record({
  closed: fc.nat({ max: 9 }).map((n) => n === 0),
  fields: metadataOverlay.map((overlay) => ({
    client_name: "generated",
    redirect_uris: ["https://app.example/cb"],
    grant_types: ["authorization_code", "refresh_token"],
    ...Object.fromEntries(Object.entries(overlay).filter(([, v]) => v !== null)),
  })),
  encoding: fc.constantFrom("json", "json", "json", "json", "json", "form", "raw", "json-text"),
  raw: garbage,
  bearer: sometimes(garbage),
  ip: fc.nat({ max: 4095 }),
});

/** RFC 7591 §2 with RFC 6749 §3.1.2 and RFC 8252 §7: what a registered redirect URI may be. */
function acceptableRedirect(uri: string): boolean {
  if (uri.includes("#") || !URL.canParse(uri)) return false;
  const url = new URL(uri);
  if (url.username || url.password) return false;
  if (url.protocol === "https:") return true;
  if (url.protocol === "http:") return ["127.0.0.1", "[::1]", "localhost"].includes(url.hostname);
  return url.protocol.includes(".");
}

export function registerProbe(world: World, r: RegisterRecipe): Sent {
  const d = draft("POST", "/register", []);
  d.headers["CF-Connecting-IP"] = testAddress(r.ip);
  d.body = "raw";
  const json = JSON.stringify(r.fields);
  d.raw = { json, "json-text": json, form: new URLSearchParams(r.fields as Record<string, string>).toString(), raw: r.raw }[r.encoding];
  d.headers["Content-Type"] = { json: "application/json", "json-text": "text/plain", form: "application/x-www-form-urlencoded", raw: "application/json" }[r.encoding];
  if (r.bearer !== null) d.headers.Authorization = `Bearer ${r.bearer.replace(/[^\x21-\x7e]/g, "")}`;
  return {
    d,
    ...(r.closed ? {} : { via: openRegistration }),
    redirectClients: [],
    mayIssueCode: false,
    check: (res, text) => {
      if (res.status < 200 || res.status >= 300) return null;
      if (r.closed) return `a ${res.status} from /register while REGISTRATION is closed`;
      const body = JSON.parse(text) as { client_secret?: string; registration_access_token?: string; redirect_uris?: string[] };
      addSecret(world, "client secret", body.client_secret);
      addSecret(world, "registration access token", body.registration_access_token);
      const bad = (body.redirect_uris ?? []).filter((u) => !acceptableRedirect(u));
      return bad.length > 0 ? `registered unacceptable redirect URIs ${JSON.stringify(bad)}` : null;
    },
  };
}

export interface PublicRecipe {
  path: string;
  method: string;
  origin: boolean;
}

export const publicRecipe: fc.Arbitrary<PublicRecipe> = fc.record({
  path: fc.constantFrom(
    "/.well-known/oauth-authorization-server", "/.well-known/openid-configuration", "/jwks.json",
    "/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/api/me",
    "/.well-known/openid-configuration/", "/.well-known/%2e%2e/jwks.json", "/.well-known/../admin/clients",
    "/jwks.json?kid=x", "/.WELL-KNOWN/openid-configuration", "/.well-known/webfinger?resource=acct:x",
  ),
  method: fc.constantFrom("GET", "GET", "GET", "HEAD", "POST", "OPTIONS", "DELETE"),
  origin: fc.boolean(),
});

/** Metadata and keys: public, and never a private key member (RFC 7517 §4, RFC 7518 §6). */
export function publicProbe(r: PublicRecipe): Sent {
  const d = draft(r.method, r.path, []);
  d.body = "none";
  if (r.origin) d.headers.Origin = "https://evil.example";
  return {
    d,
    redirectClients: [],
    mayIssueCode: false,
    check: (res, text) => {
      if (res.status !== 200 || !r.path.startsWith("/jwks.json") || r.method !== "GET") return null;
      const { keys } = JSON.parse(text) as { keys: Record<string, unknown>[] };
      const leaked = keys.flatMap((k) => ["d", "p", "q", "dp", "dq", "qi", "k"].filter((m) => m in k));
      return leaked.length > 0 ? `private key members in the JWKS: ${leaked}` : null;
    },
  };
}

export interface AdminRecipe {
  method: "GET" | "POST" | "DELETE" | "PUT";
  target: "clients" | "users" | "client" | "user" | "grants" | "junk";
  id: "created" | "world" | "unknown" | "junk";
  auth: "exact" | "lower" | "twisted" | "none" | "basic" | "query";
  t: Twist;
  body: "client" | "user" | "junk";
  fields: Record<string, unknown>;
  junk: string;
  n: number;
}

export const adminRecipe: fc.Arbitrary<AdminRecipe> = fc.record({
  method: fc.constantFrom("GET", "GET", "POST", "POST", "DELETE", "PUT"),
  target: fc.constantFrom("clients", "users", "client", "user", "grants", "junk"),
  id: fc.constantFrom("created", "world", "unknown", "junk"),
  auth: fc.constantFrom("exact", "exact", "exact", "lower", "twisted", "none", "basic", "query"),
  t: twist,
  body: fc.constantFrom("client", "user", "junk"),
  fields: fc.dictionary(fc.constantFrom("client_name", "redirect_uris", "username", "password", "email", "scope", "grant_types", "__proto__", "client_secret"), value, { maxKeys: 3 }),
  junk: garbage,
  n: fc.nat(),
});

/** The admin API: answered only for the exact admin token (RFC 6750 §2.1). */
export function adminProbe(world: World, r: AdminRecipe): Sent {
  const created = r.target === "user" || r.target === "grants" ? world.created.users : world.created.clients;
  // Reads may name the world's clients and users; deletions only what the run created itself.
  const worldIds = r.target === "client" ? world.clients.map((c) => c.client_id) : [world.target.sub];
  const id = {
    created: created[r.n % Math.max(created.length, 1)] ?? `none-${r.n}`,
    world: r.method === "DELETE" ? `none-${r.n}` : (worldIds[r.n % worldIds.length] as string),
    unknown: `id-${r.n}`,
    junk: encodeURIComponent(r.junk.toWellFormed()) || "%2e%2e",
  }[r.id];
  const path = {
    clients: "/admin/clients",
    users: "/admin/users",
    client: `/admin/clients/${id}`,
    user: `/admin/users/${id}`,
    grants: `/admin/users/${id}/grants`,
    junk: `/admin/${encodeURIComponent(r.junk.toWellFormed())}`,
  }[r.target];
  const d = draft(r.method, path, []);
  d.body = r.method === "GET" || r.method === "DELETE" ? "none" : "raw";
  const password = `pw-${r.n}-${"z".repeat(12)}`;
  if (d.body === "raw") {
    const body =
      r.body === "client"
        ? { client_name: "fuzz", redirect_uris: ["https://fuzz.example/cb"], ...r.fields }
        : r.body === "user"
          ? { username: `fuzz-${r.n}-${world.created.users.length}`, password, ...r.fields }
          : r.junk;
    d.raw = typeof body === "string" ? body : JSON.stringify(body);
    d.headers["Content-Type"] = "application/json";
  }
  switch (r.auth) {
    case "exact":
      d.headers.Authorization = `Bearer ${ADMIN_TOKEN}`;
      break;
    case "lower": // RFC 9110 §11.1: case-insensitive scheme
      d.headers.Authorization = `bearer ${ADMIN_TOKEN}`;
      break;
    case "twisted":
      d.headers.Authorization = `Bearer ${applyTwist(ADMIN_TOKEN, r.t).replace(/[^\x21-\x7e]/g, "")}`;
      breaks(d, "admin token altered");
      break;
    case "basic":
      d.headers.Authorization = `Basic ${btoa(`admin:${ADMIN_TOKEN}`)}`;
      breaks(d, "Basic");
      break;
    case "query":
      d.path = `${path}?access_token=${ADMIN_TOKEN}`;
      breaks(d, "token in the query");
      break;
    case "none":
      breaks(d, "no token");
  }
  return {
    d,
    redirectClients: [],
    mayIssueCode: false,
    check: (res, text) => {
      if (res.status < 200 || res.status >= 300) return null;
      if (!d.valid) return `a ${res.status} from the admin API without the admin token`;
      if (res.status === 201 && r.method === "POST") {
        const body = JSON.parse(text) as { client_id?: string; client_secret?: string; sub?: string };
        if (body.client_id) world.created.clients.push(body.client_id);
        if (body.sub) world.created.users.push(body.sub);
        addSecret(world, "client secret", body.client_secret);
        const sent = (JSON.parse(String(d.raw)) as { password?: unknown }).password;
        if (body.sub && typeof sent === "string") addSecret(world, "password", sent);
      }
      return null;
    },
  };
}

export interface GarbageRecipe {
  method: string;
  path: string;
  query: [string, string][];
  headers: [string, string][];
  body: string | Uint8Array | null;
  ip: number;
}

const PATHS = [
  "/", "/authorize", "/authorize/login", "/authorize/consent", "/token", "/revoke", "/introspect",
  "/userinfo", "/register", "/api/me", "/admin", "/admin/clients", "/logout", "/jwks.json",
  "//evil.example", "/%2e%2e/admin/clients", "/authorize/../admin/users", "/token%00", "/TOKEN",
  "/authorize/", "/\\evil.example", "/api/../admin/users", "/favicon.ico", "/.env", "/authorize%2flogin",
];
const HEADERS = [
  "Content-Type", "Authorization", "Cookie", "Origin", "Sec-Fetch-Site", "Accept", "Host",
  "X-Forwarded-Host", "X-Forwarded-Proto", "Referer", "Content-Encoding", "Accept-Language",
];

export const garbageRecipe: fc.Arbitrary<GarbageRecipe> = fc.record({
  method: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "PROPFIND"),
  path: fc.oneof(fc.constantFrom(...PATHS), garbage.map((g) => `/${encodeURIComponent(g.toWellFormed())}`)),
  query: fc.array(fc.tuple(garbage, garbage), { maxLength: 4 }),
  headers: fc.array(fc.tuple(fc.constantFrom(...HEADERS), garbage), { maxLength: 4 }),
  body: fc.option(fc.oneof(garbage, fc.uint8Array({ maxLength: 64 })), { nil: null }),
  ip: fc.nat({ max: 4095 }),
});

export function garbageProbe(r: GarbageRecipe): Sent {
  const query = r.query.length > 0 ? `?${new URLSearchParams(r.query)}` : "";
  const d = draft(r.method, `${r.path}${query}`, []);
  d.body = r.method === "GET" || r.method === "HEAD" ? "none" : "raw";
  if (d.body === "raw") d.raw = r.body ?? "";
  for (const [name, v] of r.headers) d.headers[name] = v.replace(/[^\x20-\x7e]/g, "").trim();
  d.headers["CF-Connecting-IP"] = testAddress(r.ip);
  breaks(d, "garbage");
  return { d, redirectClients: [], mayIssueCode: false };
}
