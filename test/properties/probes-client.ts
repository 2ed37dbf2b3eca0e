/**
 * Generated requests of the client side: /token, /revoke, /introspect, and the bearer endpoints
 * /userinfo and /api/me. Values come from the run's pools (codes and tokens it was really
 * given), then are altered; client authentication is right or broken in the ways RFC 6749 §2.3
 * forbids.
 */
import fc from "fast-check";
import { basicAuthorization, type TestClient } from "../helpers/fixtures";
import { testAddress } from "../helpers/flow";
import {
  type BodyShape,
  type Draft,
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
  sometimes,
  twist,
} from "./draft";
import { type TokenEntry, type World, addSecret } from "./world";

type AuthMode = "correct" | "wrong-secret" | "garbage-basic" | "both" | "wrong-method" | "lower-scheme" | "missing" | "id-mismatch";

const authMode: fc.Arbitrary<AuthMode> = fc.oneof(
  { weight: 8, arbitrary: fc.constant<AuthMode>("correct") },
  { weight: 1, arbitrary: fc.constant<AuthMode>("lower-scheme") },
  {
    weight: 7,
    arbitrary: fc.constantFrom<AuthMode>("wrong-secret", "garbage-basic", "both", "wrong-method", "missing", "id-mismatch"),
  },
);

/** Adds `client`'s authentication to `d` as `mode` says; anything but correct breaks it. */
function authenticate(d: Draft, world: World, client: TestClient, mode: AuthMode, t: Twist, n: number) {
  const method = client.metadata.token_endpoint_auth_method;
  const secret = client.client_secret ?? "";
  const other = world.clients[(world.clients.indexOf(client) + 1) % world.clients.length] as TestClient;
  const correct = () => {
    if (method === "client_secret_basic") d.headers.Authorization = basicAuthorization(client.client_id, secret);
    else if (method === "client_secret_post") d.params.push(["client_id", client.client_id], ["client_secret", secret]);
    else d.params.push(["client_id", client.client_id]);
  };
  switch (mode) {
    case "correct":
      return correct();
    case "lower-scheme": // RFC 9110 §11.1: the scheme is case-insensitive
      correct();
      if (d.headers.Authorization) d.headers.Authorization = d.headers.Authorization.replace(/^Basic/, "basic");
      return;
    case "wrong-secret":
      if (method === "client_secret_basic") d.headers.Authorization = basicAuthorization(client.client_id, applyTwist(secret, t));
      else if (method === "client_secret_post") d.params.push(["client_id", client.client_id], ["client_secret", applyTwist(secret, t)]);
      else d.params.push(["client_id", client.client_id], ["client_secret", `s${t.junk}`]);
      break;
    case "garbage-basic": {
      const b64 = btoa(`${client.client_id}:${secret}`);
      const variants = [
        "Basic", "Basic !!!", `Basic ${btoa(client.client_id)}`, `Basic ${btoa(":")}`, `Basic ${btoa(`${client.client_id}:`)}`,
        `Bearer ${secret}`, `Basic ${b64.slice(0, -4)}`, `Basic ${btoa(`${other.client_id}:${secret}`)}`, `Basic ${b64} x`,
        `Digest ${b64}`, `Basic ${btoa(`${client.client_id}:${secret}x`)}`,
      ];
      d.headers.Authorization = variants[n % variants.length] as string;
      break;
    }
    case "both": // RFC 6749 §2.3: more than one method in one request
      d.headers.Authorization = basicAuthorization(client.client_id, secret || "x");
      d.params.push(["client_secret", secret || "x"]);
      break;
    case "wrong-method":
      if (method === "client_secret_post") d.headers.Authorization = basicAuthorization(client.client_id, secret);
      else if (method === "client_secret_basic") d.params.push(["client_id", client.client_id], ["client_secret", secret]);
      else d.headers.Authorization = basicAuthorization(client.client_id, "x");
      break;
    case "missing":
      break;
    case "id-mismatch":
      correct();
      set(d, "client_id", other.client_id);
      if (method === "client_secret_post") d.params.push(["client_secret", secret]);
      break;
  }
  breaks(d, `client authentication ${mode}`);
}

/** What every client-side recipe has: which pooled value, altered how, sent by which client. */
interface Presented {
  clean: boolean;
  idx: number;
  valueTwist: Twist | null;
  asOther: number | null;
  auth: AuthMode;
  authTwist: Twist;
  n: number;
  junk: string;
  shape: BodyShape;
  bytes: Uint8Array;
  ip: number;
}

const presented = {
  clean,
  idx: fc.nat(),
  valueTwist: sometimes(twist),
  asOther: sometimes(fc.nat()),
  auth: authMode,
  authTwist: twist,
  n: fc.nat(),
  junk: garbage,
  shape: bodyShape,
  bytes: fc.uint8Array({ maxLength: 32 }),
  ip: fc.nat({ max: 4095 }),
};

export interface TokenRecipe extends Presented {
  grant: "code" | "refresh" | "unknown";
  verifier: "ok" | "twisted" | "missing" | "fresh";
  redirect: "ok" | "missing" | "twisted" | "other-registered";
  grantType: string | null;
  scope: "none" | "openid" | "wider" | "junk";
  resource: boolean;
  repeat: number | null;
  method: "POST" | "GET" | "PUT";
}

export const tokenRecipe: fc.Arbitrary<TokenRecipe> = fc.record({
  ...presented,
  grant: fc.constantFrom("code", "code", "refresh", "refresh", "unknown"),
  verifier: fc.constantFrom("ok", "ok", "ok", "twisted", "missing", "fresh"),
  redirect: fc.constantFrom("ok", "ok", "ok", "missing", "twisted", "other-registered"),
  grantType: sometimes(fc.oneof(fc.constantFrom("password", "client_credentials", "implicit", "AUTHORIZATION_CODE", "refresh_token ", "urn:ietf:params:oauth:grant-type:token-exchange"), garbage)),
  scope: fc.constantFrom("none", "none", "none", "openid", "wider", "junk"),
  resource: fc.nat({ max: 11 }).map((n) => n === 0),
  repeat: sometimes(fc.nat()),
  method: fc.constantFrom("POST", "POST", "POST", "POST", "POST", "POST", "GET", "PUT"),
});

const pick = <T>(list: T[], i: number): T | undefined => list[i % Math.max(list.length, 1)];

export function tokenProbe(world: World, recipe: TokenRecipe): Sent {
  const r: TokenRecipe = recipe.clean
    ? { ...recipe, valueTwist: null, asOther: null, auth: "correct", verifier: "ok", redirect: "ok", grantType: null, scope: "none", resource: false, repeat: null, shape: "form", method: "POST" }
    : recipe;
  const code = r.grant === "code" ? pick(world.codes, r.idx) : undefined;
  const refresh = r.grant === "refresh" ? pick(world.refreshTokens, r.idx) : undefined;
  const entry = code ?? refresh;
  const owner = entry?.client ?? (world.clients[r.idx % world.clients.length] as TestClient);
  const d = draft(r.method, "/token", []);
  d.headers["CF-Connecting-IP"] = testAddress(r.ip);
  if (code) {
    d.params.push(["grant_type", "authorization_code"], ["code", code.value]);
    if (r.verifier === "ok") d.params.push(["code_verifier", code.verifier]);
    else {
      const wrong = { twisted: applyTwist(code.verifier, { ...r.authTwist, kind: "flip" }), missing: undefined, fresh: `${"v".repeat(43)}${r.n}` }[r.verifier];
      if (wrong !== undefined) d.params.push(["code_verifier", wrong]);
      breaks(d, `code_verifier ${r.verifier}`);
    }
    const other = owner.metadata.redirect_uris.find((u) => u !== code.redirectUri);
    const uri = { ok: code.redirectUri, missing: undefined, twisted: `${code.redirectUri}/`, "other-registered": other ?? `${code.redirectUri}x` }[r.redirect];
    if (uri !== undefined) d.params.push(["redirect_uri", uri]);
    // RFC 6749 §4.1.3: required and identical when the authorization request carried it.
    if (r.redirect !== "ok" && !(r.redirect === "missing" && !code.redirectSent)) breaks(d, `redirect_uri ${r.redirect}`);
  } else if (refresh) {
    d.params.push(["grant_type", "refresh_token"], ["refresh_token", refresh.value]);
    if (r.scope !== "none") {
      // RFC 6749 §6: a refresh may narrow the scope, never widen it.
      const narrower = r.scope === "openid" && refresh.scope.includes("openid");
      d.params.push(["scope", { openid: "openid", wider: `${refresh.scope.join(" ")} admin`, junk: `x${r.junk}` }[r.scope]]);
      if (!narrower) breaks(d, `scope ${r.scope}`);
    }
  } else {
    d.params.push(["grant_type", r.n % 2 ? "authorization_code" : "refresh_token"], [r.n % 2 ? "code" : "refresh_token", r.junk]);
    breaks(d, "no code or token of the run");
  }
  if (entry && r.valueTwist) {
    const name = code ? "code" : "refresh_token";
    set(d, name, applyTwist(entry.value, r.valueTwist));
    breaks(d, `${name} altered`);
  }
  if (r.grantType !== null) {
    set(d, "grant_type", r.grantType);
    breaks(d, `grant_type ${r.grantType}`);
  }
  if (r.resource) {
    d.params.push(["resource", "https://evil.example/api"]);
    breaks(d, "resource not granted"); // RFC 8707 §2.2
  }
  const asClient = r.asOther === null ? owner : (world.clients[r.asOther % world.clients.length] as TestClient);
  if (asClient !== owner) breaks(d, "another client");
  authenticate(d, world, asClient, r.auth, r.authTwist, r.n);
  if (r.repeat !== null) repeatParam(d, r.repeat, r.junk);
  if (r.method !== "POST") breaks(d, `method ${r.method}`); // RFC 6749 §3.2
  else shapeBody(d, r.shape, r.bytes);

  return {
    d,
    redirectClients: [],
    mayIssueCode: false,
    check: (res, text) => {
      if (res.status < 200 || res.status >= 300) return null;
      if (!d.valid) return `a ${res.status} from /token for an invalid request`;
      const body = JSON.parse(text) as { access_token?: string; refresh_token?: string; scope?: string };
      const scope = (body.scope ?? "").split(" ");
      if (code) {
        code.redeemed++;
        if (code.redeemed > 1) return "a code redeemed twice (RFC 6749 §4.1.2)";
      }
      if (refresh) {
        if (refresh.successor === undefined) refresh.successor = body.refresh_token ?? "";
        else if (asClient.client_secret === undefined || body.refresh_token !== refresh.successor) {
          // Only the retry grace of a confidential client may answer twice, with the same successor.
          return "a refresh token rotated twice (RFC 9700 §4.14.2)";
        }
      }
      if (body.access_token) world.accessTokens.push({ client: owner, value: body.access_token, scope });
      if (body.refresh_token) world.refreshTokens.push({ client: owner, value: body.refresh_token, scope });
      addSecret(world, "access token", body.access_token);
      addSecret(world, "refresh token", body.refresh_token);
      return null;
    },
  };
}

export interface TokenUseRecipe extends Presented {
  endpoint: "revoke" | "introspect" | "userinfo" | "api";
  kind: "refresh" | "access" | "junk";
  hint: string | null;
  scheme: "Bearer" | "bearer" | "Basic" | "two-spaces" | "none" | "query" | "form";
  method: "GET" | "POST";
}

export const tokenUseRecipe: fc.Arbitrary<TokenUseRecipe> = fc.record({
  ...presented,
  endpoint: fc.constantFrom("revoke", "introspect", "userinfo", "userinfo", "api"),
  kind: fc.constantFrom("refresh", "access", "access", "junk"),
  hint: sometimes(fc.oneof(fc.constantFrom("refresh_token", "access_token", "id_token"), garbage)),
  scheme: fc.constantFrom("Bearer", "Bearer", "Bearer", "bearer", "Basic", "two-spaces", "none", "query", "form"),
  method: fc.constantFrom("GET", "POST"),
});

/** /revoke, /introspect (client-authenticated), /userinfo and /api/me (bearer) with a token. */
export function tokenUseProbe(world: World, recipe: TokenUseRecipe): Sent {
  const r: TokenUseRecipe = recipe.clean
    ? { ...recipe, valueTwist: null, asOther: null, auth: "correct", hint: null, scheme: "Bearer", shape: "form" }
    : recipe;
  const entry: TokenEntry | undefined =
    r.kind === "refresh" ? pick(world.refreshTokens, r.idx) : r.kind === "access" ? pick(world.accessTokens, r.idx) : undefined;
  const owner = entry?.client ?? (world.clients[r.idx % world.clients.length] as TestClient);
  let value = entry?.value ?? r.junk;
  const path = { revoke: "/revoke", introspect: "/introspect", userinfo: "/userinfo", api: "/api/me" }[r.endpoint];
  const bearer = r.endpoint === "userinfo" || r.endpoint === "api";
  const d = draft(bearer ? r.method : "POST", path, []);
  d.headers["CF-Connecting-IP"] = testAddress(r.ip);
  if (!entry) breaks(d, "no token of the run");
  if (entry && r.valueTwist) {
    value = applyTwist(value, r.valueTwist);
    breaks(d, "token altered");
  }
  let asClient = owner;
  if (bearer) {
    if (r.kind !== "access") breaks(d, "not an access token");
    switch (r.scheme) {
      case "Bearer":
      case "bearer": // RFC 9110 §11.1: case-insensitive scheme
        d.headers.Authorization = `${r.scheme} ${value}`;
        break;
      case "two-spaces":
      case "Basic":
        d.headers.Authorization = r.scheme === "Basic" ? `Basic ${value}` : `Bearer  ${value}`;
        if (r.scheme === "Basic") breaks(d, "Basic scheme");
        break;
      case "none":
        breaks(d, "no token");
        break;
      case "query": // RFC 6750 §2.3: allowed, though discouraged
        d.path = `${path}?access_token=${encodeURIComponent(value.toWellFormed())}`;
        break;
      case "form": // RFC 6750 §2.2 (on a GET it travels in the query: §2.3)
        d.params.push(["access_token", value]);
        break;
    }
  } else {
    d.params.push(["token", value]);
    if (r.hint !== null) d.params.push(["token_type_hint", r.hint]);
    asClient = r.asOther === null ? owner : (world.clients[r.asOther % world.clients.length] as TestClient);
    // The operator's clients (all of the world's come from the admin API) may introspect any
    // access token (issue 10 point 8); everything else only for the token's own client.
    const anyClientMay = r.endpoint === "introspect" && r.kind === "access";
    if (asClient !== owner && !anyClientMay) breaks(d, "another client");
    authenticate(d, world, asClient, r.auth, r.authTwist, r.n);
    shapeBody(d, r.shape, r.bytes);
  }
  return {
    d,
    redirectClients: [],
    mayIssueCode: false,
    check: (res, text) => {
      const ok = res.status >= 200 && res.status < 300;
      if (bearer) return ok && !d.valid ? `a ${res.status} from ${path} without a valid access token` : null;
      if (r.endpoint === "revoke") {
        // RFC 7009 §2.2: a valid revocation request answers 200 (429 when throttled).
        return d.valid && res.status !== 200 && res.status !== 429 ? `a valid revocation answered ${res.status}` : null;
      }
      if (!ok) return null;
      const active = (JSON.parse(text) as { active?: unknown }).active;
      // RFC 7662 §4: no token scanning; a refresh token only to its own client; public clients never.
      const allowed = d.valid && asClient.client_secret !== undefined;
      return active === true && !allowed ? "introspection said active for an invalid request" : null;
    },
  };
}
