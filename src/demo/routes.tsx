/**
 * The local demo: the landing page at `/` and a demo client application under `/demo/*` that
 * signs the demo user in through Gatehouse and shows each step. src/app.ts mounts it behind
 * `localDevelopmentOnly` (src/demo/guard.ts): on any other issuer these routes are the ordinary
 * 404 and nothing is seeded.
 *
 * The client is confidential (client_secret_basic): its secret and the tokens stay on the
 * server side (sealed, src/demo/demo-state.ts); its calls to Gatehouse go in-process
 * (src/demo/gatehouse-call.ts). Its forms are POSTs protected like Gatehouse's own
 * (src/http/csrf.ts).
 */
import { type Context, Hono } from "hono";
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from "jose";
import { randomToken } from "../crypto/random";
import { timingSafeEqual } from "../crypto/timing-safe";
import type { AppEnv } from "../http/app-env";
import { limitBody } from "../http/body-limit";
import { csrfToken, verifyCsrf } from "../http/csrf";
import { toOAuthError } from "../http/on-error";
import { readParams } from "../http/params";
import { s256 } from "../oauth/pkce";
import { renderPage } from "../ui/render";
import { CallbackPage, DeniedPage } from "./callback-pages";
import { DEMO_SCOPE, DEMO_USER, demoParties, type DemoParties } from "./demo-parties";
import { AuthorizeStepPage, DemoErrorPage, LandingPage, type ParameterRow } from "./demo-pages";
import { type DemoState, readDemoState, writeDemoState } from "./demo-state";
import { callGatehouse, type GatehouseFetch } from "./gatehouse-call";
import { ApiPage, RefreshPage, RevokePage } from "./step-pages";
import { decodeToken } from "./token-anatomy";

/** A step that cannot go on: shown as a page, with a way back to the start. */
class DemoError extends Error {
  constructor(
    readonly title: string,
    message: string,
    readonly status: 400 | 403 | 502 = 400,
  ) {
    super(message);
  }
}

export function demoRoutes(gatehouse: GatehouseFetch): Hono<AppEnv> {
  const demo = new Hono<AppEnv>().onError(onDemoError);
  const limit = limitBody();
  const parties = (c: Context<AppEnv>) =>
    demoParties(c.get("stores"), c.get("config"), c.get("issuer"));

  demo.get("/", async (c) => {
    await parties(c);
    return renderPage(
      c,
      <LandingPage username={DEMO_USER.username} password={DEMO_USER.password} csrf={csrfToken(c)} />,
    );
  });

  demo.post("/demo/start", limit, async (c) => {
    const form = await readParams(c);
    // No run yet, so no sealed copy of the token: the cookie and the field must agree (and the
    // fetch metadata must not say cross-site).
    await verifyCsrf(c, form.get("csrf"), form.get("csrf") ?? "");
    const { client } = await parties(c);
    const pending = { state: randomToken(16), nonce: randomToken(16), verifier: randomToken(32) };
    await writeDemoState(c, { clientId: client.clientId, csrf: csrfToken(c), pending });
    const parameters = await authorizationParameters(client, pending);
    const url = `${c.get("issuer")}/authorize?${new URLSearchParams(
      parameters.map((p): [string, string] => [p.name, p.value]),
    )}`;
    return renderPage(c, <AuthorizeStepPage url={url} parameters={parameters} />);
  });

  demo.get("/demo/callback", async (c) => {
    const run = await readDemoState(c);
    const query = new URL(c.req.url).searchParams;
    const pending = run?.pending;
    if (run === null || pending === undefined) {
      throw new DemoError(
        "No sign-in is waiting for this answer",
        "This browser has no pending authorization request of the demo (it was answered already, or expired). Start again.",
      );
    }
    // RFC 6749 §10.12: the answer must belong to the request this browser sent, or someone is
    // injecting their own code (CSRF). Nothing is exchanged, and the pending request stays.
    if (!(await timingSafeEqual(query.get("state") ?? "", pending.state))) {
      throw new DemoError(
        "The state does not match",
        "The callback's state is not the one the demo sent (RFC 6749 §10.12): this answer belongs to another request, so its code is not used.",
        403,
      );
    }
    // RFC 9207 §2.4: the answer must come from the issuer the request went to (mix-up attacks).
    if (query.get("iss") !== c.get("issuer")) {
      throw new DemoError(
        "The issuer does not match",
        `The callback's iss is not ${c.get("issuer")} (RFC 9207 §2.4), so its code is not used.`,
        403,
      );
    }
    const { client } = await parties(c);
    if (client.clientId !== run.clientId) {
      throw new DemoError("The demo client changed", "The demo application was registered again since this run started. Start again.");
    }
    // The state is single-use: whatever happens next, this answer is consumed.
    const csrf = csrfToken(c);
    const consumed: DemoState = { clientId: run.clientId, csrf };
    const checks = [
      { text: "state equals the one the demo sent (RFC 6749 §10.12)", ok: true },
      { text: `iss equals ${c.get("issuer")} (RFC 9207 §2.4)`, ok: true },
    ];
    const error = query.get("error");
    if (error !== null) {
      await writeDemoState(c, consumed);
      return renderPage(
        c,
        <DeniedPage
          callbackUrl={c.req.url}
          error={error}
          description={query.get("error_description") ?? ""}
          checks={checks}
          csrf={csrf}
        />,
      );
    }
    const code = query.get("code");
    if (code === null) throw new DemoError("No code", "The callback carries neither a code nor an error.");
    const exchange = await callGatehouse(c, gatehouse, {
      method: "POST",
      path: "/token",
      authorization: { scheme: "Basic", clientId: client.clientId, clientSecret: client.clientSecret },
      form: {
        grant_type: "authorization_code",
        code,
        redirect_uri: client.redirectUri,
        code_verifier: pending.verifier,
      },
    });
    const tokens = tokenResponse(exchange.response.json);
    if (exchange.response.status !== 200 || tokens === undefined) {
      await writeDemoState(c, consumed);
      return renderPage(c, <CallbackPage callbackUrl={c.req.url} checks={checks} exchange={exchange} csrf={csrf} />, {
        status: 502,
      });
    }
    const idChecks = tokens.id_token === undefined ? [] : await checkIdToken(c, gatehouse, tokens.id_token, client.clientId, pending.nonce);
    await writeDemoState(c, {
      ...consumed,
      tokens: { access: tokens.access_token, ...(tokens.refresh_token === undefined ? {} : { refresh: tokens.refresh_token }) },
    });
    return renderPage(
      c,
      <CallbackPage
        callbackUrl={c.req.url}
        checks={checks}
        exchange={exchange}
        accessToken={decodeToken(tokens.access_token)}
        {...(tokens.id_token === undefined ? {} : { idToken: decodeToken(tokens.id_token) })}
        idChecks={idChecks}
        csrf={csrf}
      />,
    );
  });

  demo.post("/demo/api", limit, async (c) => {
    const { run, tokens } = await continueRun(c);
    const withToken = await callGatehouse(c, gatehouse, {
      method: "GET",
      path: "/api/me",
      authorization: { scheme: "Bearer", token: tokens.access },
    });
    const withoutToken = await callGatehouse(c, gatehouse, { method: "GET", path: "/api/me" });
    return renderPage(c, <ApiPage withToken={withToken} withoutToken={withoutToken} csrf={run.csrf} />);
  });

  demo.post("/demo/refresh", limit, async (c) => {
    const { run, tokens, client } = await continueRun(c);
    if (tokens.refresh === undefined) {
      throw new DemoError("No refresh token", "This run got no refresh token. Start again.");
    }
    const exchange = await callGatehouse(c, gatehouse, {
      method: "POST",
      path: "/token",
      authorization: { scheme: "Basic", clientId: client.clientId, clientSecret: client.clientSecret },
      form: { grant_type: "refresh_token", refresh_token: tokens.refresh },
    });
    const issued = exchange.response.status === 200 ? tokenResponse(exchange.response.json) : undefined;
    // The old token at once again, as a client whose response was lost would: within the grace
    // it gets the same new refresh token, not a third one (src/oauth/grants/refresh-token.ts).
    // Without a grace (REFRESH_TOKEN_REUSE_GRACE=0) that would be reuse and end the grant: skipped.
    const graceSeconds = c.get("config").refreshTokenReuseGrace;
    const retry =
      issued === undefined || graceSeconds === 0
        ? undefined
        : await callGatehouse(c, gatehouse, {
            method: "POST",
            path: "/token",
            authorization: { scheme: "Basic", clientId: client.clientId, clientSecret: client.clientSecret },
            form: { grant_type: "refresh_token", refresh_token: tokens.refresh },
          });
    if (issued !== undefined) {
      await writeDemoState(c, {
        ...run,
        tokens: {
          access: issued.access_token,
          ...(issued.refresh_token === undefined ? {} : { refresh: issued.refresh_token }),
          previousRefresh: tokens.refresh,
        },
      });
    }
    return renderPage(
      c,
      <RefreshPage
        exchange={exchange}
        oldRefresh={tokens.refresh}
        {...(issued?.refresh_token === undefined ? {} : { newRefresh: issued.refresh_token })}
        {...(retry === undefined ? {} : { retry })}
        graceSeconds={graceSeconds}
        csrf={run.csrf}
      />,
      { status: issued === undefined ? 502 : 200 },
    );
  });

  demo.post("/demo/revoke", limit, async (c) => {
    const { run, tokens, client } = await continueRun(c);
    if (tokens.refresh === undefined) {
      throw new DemoError("No refresh token", "This run got no refresh token. Start again.");
    }
    const basic = { scheme: "Basic", clientId: client.clientId, clientSecret: client.clientSecret } as const;
    const refreshWith = (token: string) =>
      callGatehouse(c, gatehouse, {
        method: "POST",
        path: "/token",
        authorization: basic,
        form: { grant_type: "refresh_token", refresh_token: token },
      });
    const revocation = await callGatehouse(c, gatehouse, {
      method: "POST",
      path: "/revoke",
      authorization: basic,
      form: { token: tokens.refresh, token_type_hint: "refresh_token" },
    });
    const current = await refreshWith(tokens.refresh);
    const previous = tokens.previousRefresh === undefined ? undefined : await refreshWith(tokens.previousRefresh);
    const introspection = await callGatehouse(c, gatehouse, {
      method: "POST",
      path: "/introspect",
      authorization: basic,
      form: { token: tokens.access, token_type_hint: "access_token" },
    });
    const api = await callGatehouse(c, gatehouse, {
      method: "GET",
      path: "/api/me",
      authorization: { scheme: "Bearer", token: tokens.access },
    });
    // The run's tokens are dead: the demo forgets them.
    await writeDemoState(c, { clientId: run.clientId, csrf: run.csrf });
    return renderPage(
      c,
      <RevokePage
        revocation={revocation}
        current={current}
        {...(previous === undefined ? {} : { previous })}
        introspection={introspection}
        api={api}
        csrf={run.csrf}
      />,
    );
  });

  /** A step after the code exchange: the form's CSRF token, the run and its tokens. */
  async function continueRun(c: Context<AppEnv>) {
    const form = await readParams(c);
    const run = await readDemoState(c);
    if (run === null) {
      throw new DemoError("No demo is running", "This browser has no demo run (it expired after an hour, or never started). Start again.");
    }
    await verifyCsrf(c, form.get("csrf"), run.csrf);
    const tokens = run.tokens;
    if (tokens === undefined) {
      throw new DemoError("No tokens yet", "This run has no tokens (it was revoked, or the sign-in did not finish). Start again.");
    }
    const { client }: DemoParties = await parties(c);
    if (client.clientId !== run.clientId) {
      throw new DemoError("The demo client changed", "The demo application was registered again since this run started. Start again.");
    }
    return { run, tokens, client };
  }

  return demo;
}

/** The authorization request's parameters (RFC 6749 §4.1.1), each with its reason. */
async function authorizationParameters(
  client: DemoParties["client"],
  pending: NonNullable<DemoState["pending"]>,
): Promise<ParameterRow[]> {
  return [
    { name: "response_type", value: "code", meaning: "The authorization code flow (RFC 6749 §4.1), the only one OAuth 2.1 keeps." },
    { name: "client_id", value: client.clientId, meaning: "Which application asks: the demo client, registered like any other." },
    { name: "redirect_uri", value: client.redirectUri, meaning: "Where the answer goes. Must equal a registered URI exactly (RFC 9700 §4.1.3)." },
    { name: "scope", value: DEMO_SCOPE, meaning: "What it asks for: OpenID Connect sign-in, profile, e-mail, and offline_access for a refresh token (OIDC Core §11)." },
    { name: "state", value: pending.state, meaning: "Random, kept by the demo; the callback must bring it back unchanged (RFC 6749 §10.12, against CSRF)." },
    { name: "code_challenge", value: await s256(pending.verifier), meaning: "SHA-256 of a secret verifier the demo keeps (PKCE, RFC 7636 §4.2): a stolen code is useless without it." },
    { name: "code_challenge_method", value: "S256", meaning: "Gatehouse accepts only S256 (RFC 9700 §2.1.1)." },
    { name: "nonce", value: pending.nonce, meaning: "Random; comes back inside the ID token, so a replayed ID token is refused (OIDC Core §3.1.2.1)." },
    { name: "prompt", value: "consent", meaning: "Show the consent page even if you allowed the demo before, so that you see it (OIDC Core §3.1.2.1)." },
  ];
}

interface TokenResponseBody {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
}

/** The token response's tokens (RFC 6749 §5.1), or undefined when it is not one. */
function tokenResponse(json: unknown): TokenResponseBody | undefined {
  if (typeof json !== "object" || json === null) return undefined;
  const body = json as Record<string, unknown>;
  if (typeof body.access_token !== "string") return undefined;
  const text = (v: unknown) => (typeof v === "string" ? v : undefined);
  const refresh = text(body.refresh_token);
  const id = text(body.id_token);
  return {
    access_token: body.access_token,
    ...(refresh === undefined ? {} : { refresh_token: refresh }),
    ...(id === undefined ? {} : { id_token: id }),
  };
}

/**
 * What a client must check of an ID token (OIDC Core §3.1.3.7): signature with the issuer's
 * published keys, issuer, audience, expiry, and the nonce it sent.
 */
async function checkIdToken(
  c: Context<AppEnv>,
  gatehouse: GatehouseFetch,
  idToken: string,
  clientId: string,
  nonce: string,
): Promise<{ text: string; ok: boolean }[]> {
  const jwksResponse = await gatehouse(new Request(`${c.get("issuer")}/jwks.json`), c.env);
  const jwks = createLocalJWKSet((await jwksResponse.json()) as JSONWebKeySet);
  try {
    const { payload } = await jwtVerify(idToken, jwks, { issuer: c.get("issuer"), audience: clientId });
    return [
      { text: "ID token signature verified with a key of /jwks.json; iss, aud (the demo's client_id) and exp hold", ok: true },
      { text: "ID token nonce equals the one the demo sent (OIDC Core §3.1.3.7)", ok: payload.nonce === nonce },
    ];
  } catch (err) {
    return [{ text: `ID token refused: ${(err as Error).message}`, ok: false }];
  }
}

/** Demo errors and the OAuthErrors of verifyCsrf and readParams, as a demo page. */
function onDemoError(err: Error, c: Context<AppEnv>): Promise<Response> {
  if (err instanceof DemoError) {
    return renderPage(c, <DemoErrorPage title={err.title} message={err.message} />, { status: err.status });
  }
  const oauth = toOAuthError(err);
  const status = oauth.status >= 400 && oauth.status <= 599 ? oauth.status : 500;
  return renderPage(c, <DemoErrorPage title="The demo could not go on" message={oauth.description} />, { status });
}
