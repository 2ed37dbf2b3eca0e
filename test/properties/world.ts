/**
 * The deployment the generated requests run against, set up through HTTP only (admin API,
 * /authorize pages, /token), and what the run learns: every code and token it was given (the
 * pools the generators draw from, then alter), and every secret it produced or saw.
 */
import { TestBrowser, type ParsedForm, parseForm } from "../helpers/browser";
import { type TestClient, type TestUser, createClient, createPublicClient, createUser } from "../helpers/fixtures";
import { obtainCode, redeem } from "../helpers/flow";
import { ADMIN_TOKEN, ORIGIN } from "../helpers/http";
import { createPkce } from "../helpers/pkce";
import type { KnownSecret } from "../helpers/stored-secrets";

export interface CodeEntry {
  client: TestClient;
  value: string;
  verifier: string;
  redirectUri: string;
  /** Whether the authorization request carried redirect_uri (then /token must too). */
  redirectSent: boolean;
  scope: string[];
  /** 200s the token endpoint gave for it: never more than one (RFC 6749 §4.1.2). */
  redeemed: number;
}

export interface TokenEntry {
  client: TestClient;
  value: string;
  scope: string[];
  /** A refresh token's first successor: a later 200 for it may only repeat it (retry grace). */
  successor?: string;
}

/** A form page captured once (its hidden fields) with the cookies of the browser that saw it. */
export interface CapturedForm {
  form: ParsedForm;
  cookie: string;
  client: TestClient;
  verifier: string;
  redirectUri: string;
}

export interface World {
  clients: TestClient[];
  /** Clients the signed-in user has consented to, with a fixed PKCE pair each. */
  consented: { client: TestClient; verifier: string; challenge: string }[];
  /** The signed-in browser's Cookie header. */
  sessionCookie: string;
  /** A user whose password the login probes try (and may lock): never the signed-in one. */
  target: TestUser;
  loginForms: CapturedForm[];
  consentForms: CapturedForm[];
  codes: CodeEntry[];
  refreshTokens: TokenEntry[];
  accessTokens: TokenEntry[];
  /** Ids of clients and users created by the generated admin calls (the only ones deleted). */
  created: { clients: string[]; users: string[] };
  secrets: KnownSecret[];
}

type TokenBody = { access_token: string; refresh_token: string; scope: string };

const cookieHeader = (b: TestBrowser) => [...b.cookies].map(([k, v]) => `${k}=${v}`).join("; ");

export async function buildWorld(): Promise<World> {
  const clients = [
    await createClient({ redirect_uris: ["https://rp0.example/cb"] }),
    await createClient({
      redirect_uris: ["https://rp1.example/cb", "https://rp1.example/other"],
      token_endpoint_auth_method: "client_secret_post",
    }),
    await createPublicClient({ redirect_uris: ["https://rp2.example/cb"] }),
    await createPublicClient({ redirect_uris: ["http://127.0.0.1/cb"] }),
    await createClient({ redirect_uris: ["https://rp4.example/cb"], scope: "profile" }),
  ];
  const [web, post, spa, native] = clients as [TestClient, TestClient, TestClient, TestClient];
  const user = await createUser({ name: "Prop Erty", email: "p@example.com" });
  const target = await createUser();
  const world: World = {
    clients,
    consented: [],
    sessionCookie: "",
    target,
    loginForms: [],
    consentForms: [],
    codes: [],
    refreshTokens: [],
    accessTokens: [],
    created: { clients: [], users: [] },
    secrets: [
      { kind: "admin token", value: ADMIN_TOKEN },
      { kind: "password", value: user.password },
      { kind: "password", value: target.password },
      ...clients.flatMap((c) => (c.client_secret ? [{ kind: "client secret", value: c.client_secret }] : [])),
    ],
  };

  // The signed-in user, with remembered consent for three clients; codes and tokens from each.
  const browser = new TestBrowser();
  for (const client of [web, post, spa]) {
    const pkce = await createPkce();
    world.consented.push({ client, ...pkce });
    for (let i = 0; i < 4; i++) {
      const issued = await obtainCode(client, user, browser);
      if (i % 2 === 0) {
        const tokens = (await (await redeem(issued)).json()) as TokenBody;
        const scope = tokens.scope.split(" ");
        world.accessTokens.push({ client, value: tokens.access_token, scope });
        world.refreshTokens.push({ client, value: tokens.refresh_token, scope });
        addSecret(world, "access token", tokens.access_token);
        addSecret(world, "refresh token", tokens.refresh_token);
      } else {
        world.codes.push({
          client,
          value: issued.code,
          verifier: issued.verifier,
          redirectUri: issued.redirectUri,
          redirectSent: true,
          scope: ["openid", "profile"],
          redeemed: 0,
        });
      }
      addSecret(world, "code", issued.code);
    }
  }
  world.sessionCookie = cookieHeader(browser);

  // Login forms in fresh browsers (for the target user), consent forms in the signed-in one.
  for (let i = 0; i < 3; i++) {
    world.loginForms.push(await capture(new TestBrowser(), i === 0 ? native : web, "password"));
    world.consentForms.push(await capture(browser, i === 0 ? web : native, "decision", ["prompt=consent"]));
  }
  return world;
}

/** Opens an authorization request and keeps the first page with `marker` in it. */
async function capture(browser: TestBrowser, client: TestClient, marker: string, extra: string[] = []) {
  const { verifier, challenge } = await createPkce();
  const params = new URLSearchParams({
    response_type: "code",
    client_id: client.client_id,
    redirect_uri: client.redirect_uri,
    scope: client.metadata.scope ?? "openid",
    state: "captured",
    code_challenge: challenge,
    code_challenge_method: "S256",
  });
  for (const e of extra) params.append(...(e.split("=") as [string, string]));
  const res = await browser.fetch(`/authorize?${params}`);
  const page = await res.text();
  if (res.status !== 200 || !page.includes(`name="${marker}"`)) {
    throw new Error(`world: expected a page with ${marker}, got ${res.status}:\n${page.slice(0, 500)}`);
  }
  return { form: parseForm(page), cookie: cookieHeader(browser), client, verifier, redirectUri: client.redirect_uri };
}

export function addSecret(world: World, kind: string, value: string | undefined): void {
  if (value) world.secrets.push({ kind, value });
}

export const clientById = (world: World, id: string | null | undefined) =>
  world.clients.find((c) => c.client_id === id);

/** What Gatehouse may append to a redirect URI: RFC 6749 §4.1.2, §4.1.2.1; RFC 9207. */
const RESPONSE_PARAMS = new Set(["code", "state", "iss", "error", "error_description", "error_uri"]);

/**
 * Whether `location` is one of `client`'s registered redirect URIs with only response
 * parameters appended. Compared as strings (RFC 9700 §4.1.3: exact matching), with RFC 8252
 * §7.3's one exception: a loopback IP literal over http may carry any port. (The world's
 * redirect URIs have no query of their own.)
 */
export function isRegisteredTarget(client: Pick<TestClient, "metadata">, location: string): boolean {
  const portless = location.replace(/^(http:\/\/(?:127\.0\.0\.1|\[::1\])):\d{1,5}(?=[/?#]|$)/, "$1");
  return client.metadata.redirect_uris.some((registered) => {
    const loopback = /^http:\/\/(127\.0\.0\.1|\[::1\])[/?]/.test(registered);
    return [location, ...(loopback ? [portless] : [])].some((l) => {
      if (l === registered) return true;
      if (!l.startsWith(`${registered}?`) || l.includes("#")) return false;
      const appended = new URLSearchParams(l.slice(registered.length + 1));
      return [...appended.keys()].every((k) => RESPONSE_PARAMS.has(k));
    });
  });
}

/** Whether a Location carries a code anywhere (query or fragment). */
export function carriesCode(location: string): boolean {
  return /[?&#]code=/.test(location);
}

/** Same-origin Locations (Gatehouse's own pages) are fine as long as they carry no code. */
export function isOwnPage(location: string): boolean {
  try {
    return new URL(location, ORIGIN).origin === ORIGIN && !/^\s*[/\\]{2}/.test(location);
  } catch {
    return false;
  }
}
