/**
 * Generated authorization requests, GET and POST: each starts from a request that would succeed
 * for the signed-in user and applies alterations, each breaking (a rule the server must enforce)
 * or neutral, with the session cookie intact, absent or altered.
 */
import fc from "fast-check";
import type { TestClient } from "../helpers/fixtures";
import { testAddress } from "../helpers/flow";
import {
  type BodyShape,
  type Sent,
  type Twist,
  applyTwist,
  bodyShape,
  breaks,
  clean,
  draft,
  garbage,
  repeatParam,
  set,
  shapeBody,
  twist,
} from "./draft";
import type { World } from "./world";

/** The redirect URI tricks (RFC 9700 §4.1.1, §4.1.3): each differs from the registered string. */
function redirectTricks(registered: string): string[] {
  const u = new URL(registered);
  const host = u.host;
  const path = u.pathname;
  return [
    `${registered}/`,
    `${registered}?x=1`,
    `${registered}#frag`,
    `${registered}%00`,
    `${registered}\u0000`,
    `${registered}/../cb`,
    `${u.protocol}//${host}/%2e/${path.slice(1)}`,
    `${u.protocol}//${host}${path}/%2e%2e/x`,
    `${u.protocol}//${host}${path.toUpperCase()}`,
    `${u.protocol.toUpperCase()}//${host}${path}`,
    `${u.protocol}//${host.toUpperCase()}${path}`,
    `${u.protocol}//${host}@evil.example${path}`,
    `${u.protocol}//evil.example@${host}${path}`,
    `${u.protocol}//${host}\\@evil.example${path}`,
    `${u.protocol}//${host}\\evil.example${path}`,
    `${u.protocol}//${host}.evil.example${path}`,
    `${u.protocol}//${host}:443${path}`,
    `${u.protocol === "https:" ? "http:" : "https:"}//${host}${path}`,
    `${u.protocol}//${host.replace("e", "\u0435")}${path}`,
    `${u.protocol}//${host}${path.replace("c", "\u0441")}`,
    ` ${registered}`,
    `${registered} `,
    `//evil.example${path}`,
    path,
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    encodeURIComponent(registered),
    `${registered}?`,
    `${registered}&x=1`,
    "https://evil.example/cb",
    `${u.protocol}//localhost${path}`,
    `${u.protocol}//${host}:0${path}`,
    `${u.protocol}//${host}:99999${path}`,
    `${u.protocol}//[::1]${path}`,
  ];
}

/** RFC 8252 §7.3: a loopback redirect URI over http accepts any port from 1 to 65535. */
function isLoopbackPortVariant(registered: string, presented: string): boolean {
  const r = /^http:\/\/(127\.0\.0\.1|\[::1\])(\/.*)$/.exec(registered);
  const p = /^http:\/\/(127\.0\.0\.1|\[::1\]):(\d{1,5})(\/.*)$/.exec(presented);
  if (!r || !p) return false;
  const port = Number(p[2]);
  return r[1] === p[1] && r[2] === p[3] && port >= 1 && port <= 65535 && !/^0/.test(p[2] ?? "");
}

type Alteration =
  | { k: "client"; mode: "unknown" | "upper" | "other" | "missing" | "junk"; n: number; junk: string }
  | { k: "redirect"; n: number }
  | { k: "redirect-port"; port: number }
  | { k: "redirect-missing" }
  | { k: "response_type"; v: string | null }
  | { k: "pkce"; mode: "plain" | "no-method" | "lower" | "short" | "long" | "chars" | "missing" }
  | { k: "scope"; mode: "unknown" | "subset" | "junk"; junk: string }
  | { k: "state"; mode: "long" | "unicode"; junk: string }
  | { k: "nonce-long" }
  | { k: "prompt"; v: "none" | "login" | "consent" | "bogus" | "none login" }
  | { k: "max_age"; v: "0" | "-1" | "1e3" | "3600" | " 5" }
  | { k: "response_mode"; v: "fragment" | "form_post" | "query" }
  | { k: "request" | "request_uri" | "resource" }
  | { k: "extra"; name: string; value: string }
  | { k: "repeat"; n: number; junk: string };

const alteration: fc.Arbitrary<Alteration> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant("client" as const), mode: fc.constantFrom("unknown", "upper", "other", "missing", "junk"), n: fc.nat(), junk: garbage }) },
  { weight: 6, arbitrary: fc.record({ k: fc.constant("redirect" as const), n: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("redirect-port" as const), port: fc.integer({ min: 0, max: 70000 }) }) },
  { weight: 1, arbitrary: fc.constant({ k: "redirect-missing" as const }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("response_type" as const), v: fc.constantFrom("token", "code id_token", "CODE", "", "id_token", " code", null) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("pkce" as const), mode: fc.constantFrom("plain", "no-method", "lower", "short", "long", "chars", "missing") }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("scope" as const), mode: fc.constantFrom("unknown", "subset", "junk"), junk: garbage }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("state" as const), mode: fc.constantFrom("long", "unicode"), junk: fc.string({ unit: "binary", minLength: 1, maxLength: 16 }) }) },
  { weight: 1, arbitrary: fc.constant({ k: "nonce-long" as const }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("prompt" as const), v: fc.constantFrom("none", "login", "consent", "bogus", "none login") }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("max_age" as const), v: fc.constantFrom("0", "-1", "1e3", "3600", " 5") }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("response_mode" as const), v: fc.constantFrom("fragment", "form_post", "query") }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constantFrom("request" as const, "request_uri" as const, "resource" as const) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("extra" as const), name: garbage, value: garbage }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("repeat" as const), n: fc.nat(), junk: garbage }) },
);

export interface AuthorizeRecipe {
  clean: boolean;
  method: "GET" | "POST";
  client: number;
  session: "valid" | "none" | "twisted";
  sessionTwist: Twist;
  alterations: Alteration[];
  shape: BodyShape;
  bytes: Uint8Array;
  ip: number;
}

export const authorizeRecipe: fc.Arbitrary<AuthorizeRecipe> = fc.record({
  clean,
  method: fc.constantFrom("GET", "GET", "GET", "POST"),
  client: fc.nat(),
  session: fc.constantFrom("valid", "valid", "none", "twisted"),
  sessionTwist: twist,
  alterations: fc.array(alteration, { maxLength: 3 }),
  shape: bodyShape,
  bytes: fc.uint8Array({ maxLength: 32 }),
  ip: fc.nat({ max: 4095 }),
});

export function authorizeProbe(world: World, recipe: AuthorizeRecipe): Sent {
  const r: AuthorizeRecipe = recipe.clean
    ? { ...recipe, session: "valid", alterations: [], shape: "form" }
    : recipe;
  const consented = world.consented[r.client % world.consented.length];
  // Mostly a client the user consented to (a code is possible); sometimes any client.
  const client = r.client % 5 === 4 ? (world.clients[r.client % world.clients.length] as TestClient) : (consented?.client as TestClient);
  const pkce = world.consented.find((c) => c.client === client);
  const registered = client.redirect_uri;
  const d = draft(r.method, "/authorize", [
    ["response_type", "code"],
    ["client_id", client.client_id],
    ["redirect_uri", registered],
    ["scope", client.metadata.scope ?? "openid"],
    ["state", `s${r.ip}`],
    ["code_challenge", pkce?.challenge ?? "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"],
    ["code_challenge_method", "S256"],
  ]);
  d.headers["CF-Connecting-IP"] = testAddress(r.ip);
  let redirectUri = registered;
  let redirectSent = true;
  let pkceIntact = pkce !== undefined;
  for (const a of orderAlterations(r.alterations)) {
    switch (a.k) {
      case "client": {
        const at = world.clients.indexOf(client);
        const other = world.clients[(at + 1 + (a.n % (world.clients.length - 1))) % world.clients.length];
        const upper = client.client_id.toUpperCase() === client.client_id ? `${client.client_id}X` : client.client_id.toUpperCase();
        const value = { unknown: `c-${a.n}`, upper, other: other?.client_id, missing: undefined, junk: a.junk }[a.mode];
        set(d, "client_id", value);
        if (value !== client.client_id) breaks(d, `client_id ${a.mode}`);
        break;
      }
      case "redirect": {
        const tricks = redirectTricks(registered);
        redirectUri = tricks[a.n % tricks.length] as string;
        set(d, "redirect_uri", redirectUri);
        if (!isLoopbackPortVariant(registered, redirectUri)) breaks(d, "redirect_uri trick");
        break;
      }
      case "redirect-port": {
        const u = new URL(registered);
        redirectUri = `${u.protocol}//${u.hostname}:${a.port}${u.pathname}`;
        set(d, "redirect_uri", redirectUri);
        if (!isLoopbackPortVariant(registered, redirectUri)) breaks(d, "redirect_uri port");
        break;
      }
      case "redirect-missing":
        // OAuth 2.1 §4.1.1: optional only when the client registered exactly one.
        set(d, "redirect_uri", undefined);
        redirectSent = false;
        if (client.metadata.redirect_uris.length !== 1) breaks(d, "redirect_uri missing");
        break;
      case "response_type":
        set(d, "response_type", a.v ?? undefined);
        breaks(d, `response_type ${a.v}`);
        break;
      case "pkce": {
        // RFC 7636 §4.3, OAuth 2.1: S256 only, a 43-character base64url challenge.
        const challenge = { short: "abc", long: "a".repeat(129), chars: `${"a".repeat(42)}=`, missing: undefined }[a.mode as "short"];
        if (a.mode === "plain") set(d, "code_challenge_method", "plain");
        else if (a.mode === "no-method") set(d, "code_challenge_method", undefined);
        else if (a.mode === "lower") set(d, "code_challenge_method", "s256");
        else set(d, "code_challenge", challenge);
        pkceIntact = false;
        breaks(d, `pkce ${a.mode}`);
        break;
      }
      case "scope":
        if (a.mode === "subset") set(d, "scope", (client.metadata.scope ?? "openid").split(" ")[0]);
        else {
          set(d, "scope", a.mode === "unknown" ? "openid admin" : `openid x${a.junk}`);
          breaks(d, `scope ${a.mode}`); // RFC 6749 §3.3: outside the client's registered scope
        }
        break;
      case "state":
        set(d, "state", a.mode === "long" ? "s".repeat(2049) : a.junk);
        if (a.mode === "long") breaks(d, "state too long");
        break;
      case "nonce-long":
        set(d, "nonce", "n".repeat(513));
        breaks(d, "nonce too long");
        break;
      case "prompt":
        set(d, "prompt", a.v);
        if (a.v === "bogus" || a.v === "none login") breaks(d, `prompt ${a.v}`);
        break;
      case "max_age":
        set(d, "max_age", a.v);
        if (!/^\d+$/.test(a.v)) breaks(d, `max_age ${a.v}`);
        break;
      case "response_mode":
        set(d, "response_mode", a.v);
        if (a.v !== "query") breaks(d, `response_mode ${a.v}`);
        break;
      case "request":
      case "request_uri":
      case "resource":
        set(d, a.k, a.k === "request" ? "eyJhbGciOiJub25lIn0.e30." : "https://evil.example/x");
        breaks(d, a.k);
        break;
      case "extra":
        d.params.push([`x_${a.name}`, a.value]);
        break;
      case "repeat":
        repeatParam(d, a.n, a.junk);
        break;
    }
  }
  if (r.method === "POST") shapeBody(d, r.shape, r.bytes);
  applySession(d, world, r.session, r.sessionTwist);
  const sentIds = d.params.filter(([n]) => n === "client_id").map(([, v]) => v);
  const scope = d.params.find(([n]) => n === "scope")?.[1] ?? client.metadata.scope ?? "";
  return {
    d,
    redirectClients: world.clients.filter((c) => sentIds.includes(c.client_id)),
    mayIssueCode: d.valid,
    onCode: (code) => {
      if (!pkceIntact || pkce === undefined) return;
      world.codes.push({ client, value: code, verifier: pkce.verifier, redirectUri, redirectSent, scope: scope.split(" "), redeemed: 0 });
    },
  };
}

/**
 * One alteration per parameter (a later one would undo an earlier one's breakage), repeats last
 * (setting a parameter afterwards would remove the repeat).
 */
function orderAlterations(list: Alteration[]): Alteration[] {
  const slot = (a: Alteration, i: number) => (a.k.startsWith("redirect") ? "redirect" : a.k === "repeat" || a.k === "extra" ? `${a.k}${i}` : a.k);
  const seen = new Set<string>();
  const kept = list.filter((a, i) => !seen.has(slot(a, i)) && seen.add(slot(a, i)));
  return [...kept.filter((a) => a.k !== "repeat"), ...kept.filter((a) => a.k === "repeat")];
}

/** The signed-in browser's cookies, none, or altered ones (no session: no code). */
function applySession(d: ReturnType<typeof draft>, world: World, session: AuthorizeRecipe["session"], t: Twist) {
  if (session === "valid") d.headers.Cookie = world.sessionCookie;
  else {
    if (session === "twisted") {
      d.headers.Cookie = world.sessionCookie
        .split("; ")
        .map((pair) => {
          const eq = pair.indexOf("=");
          // Twists that stay within cookie characters (RFC 6265 §4.1.1), so the value does change.
          const kind = t.kind === "garbage" || t.kind === "append" ? "flip" : t.kind;
          return `${pair.slice(0, eq)}=${applyTwist(pair.slice(eq + 1), { ...t, kind })}`;
        })
        .join("; ");
    }
    breaks(d, `session ${session}`);
  }
}
