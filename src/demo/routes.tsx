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
import type { Context } from "hono";
import { Hono } from "hono/tiny";
import type { Child } from "hono/jsx";
import { randomToken } from "../crypto/random";
import { timingSafeEqual } from "../crypto/timing-safe";
import type { AppEnv } from "../http/app-env";
import { limitBody } from "../http/body-limit";
import { csrfToken, verifyCsrf } from "../http/csrf";
import { toOAuthError } from "../http/on-error";
import { readParams } from "../http/params";
import { renderPage as renderAnyPage, type RenderPageOptions } from "../ui/render";
import { authorizationParameters } from "./authorization-request";
import { CallbackPage, DeniedPage } from "./callback-pages";
import { type DemoClient, demoParties } from "./demo-parties";
import { AuthorizeStepPage, DemoErrorPage, LandingPage } from "./demo-pages";
import { type DemoState, readDemoState, writeDemoState } from "./demo-state";
import { callGatehouse, type GatehouseCall, type GatehouseFetch } from "./gatehouse-call";
import { ApiPage, RefreshPage, RevokePage } from "./step-pages";
import { DEMO_STYLESHEET } from "./styles";
import { decodeToken } from "./token-anatomy";
import { checkIdToken, issuedTokens } from "./token-response";

/**
 * The demo's pages are written in English only: they say so (`ui_locales` en), so that a German
 * browser gets `<html lang="en">` around English text rather than a wrong language tag
 * (WCAG 2.2 SC 3.1.1). Gatehouse's own login and consent pages still follow the browser.
 * They carry the demo's own rules besides the pages' stylesheet.
 */
function renderPage(c: Context<AppEnv>, page: Child, options: RenderPageOptions = {}) {
  return renderAnyPage(c, page, { ...options, uiLocales: "en", extraStylesheet: DEMO_STYLESHEET });
}

/** A step that cannot go on: shown as a page, with a way back to the start. */
class DemoError extends Error {
  constructor(
    readonly title: string,
    message: string,
    readonly status: 400 | 403 = 400,
  ) {
    super(message);
  }
}

const startAgain = (title: string, why: string) => new DemoError(title, `${why} Start again.`);

/** The demo client's authentication at Gatehouse's endpoints (RFC 6749 §2.3.1). */
const clientSecretBasic = (client: DemoClient): GatehouseCall["authorization"] => ({
  scheme: "Basic",
  clientId: client.clientId,
  clientSecret: client.clientSecret,
});

export function demoRoutes(gatehouse: GatehouseFetch): Hono<AppEnv> {
  const demo = new Hono<AppEnv>().onError(onDemoError);
  const limit = limitBody();
  const call = (c: Context<AppEnv>, request: GatehouseCall) => callGatehouse(c, gatehouse, request);
  const parties = (c: Context<AppEnv>) =>
    demoParties(c.get("stores"), c.get("config"), c.get("issuer"));
  const refreshWith = (c: Context<AppEnv>, client: DemoClient, refreshToken: string) =>
    call(c, {
      method: "POST",
      path: "/token",
      authorization: clientSecretBasic(client),
      form: { grant_type: "refresh_token", refresh_token: refreshToken },
    });

  demo.get("/", async (c) => {
    const { username, password } = (await parties(c)).user;
    return renderPage(
      c,
      <LandingPage username={username} password={password} csrf={csrfToken(c)} />,
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
    const query = new URLSearchParams(parameters.map((p): [string, string] => [p.name, p.value]));
    const url = `${c.get("issuer")}/authorize?${query}`;
    return renderPage(c, <AuthorizeStepPage url={url} parameters={parameters} />);
  });

  demo.get("/demo/callback", async (c) => {
    const run = await readDemoState(c);
    const query = new URL(c.req.url).searchParams;
    const pending = run?.pending;
    if (run === null || pending === undefined) {
      throw startAgain(
        "No sign-in is waiting for this answer",
        "This browser has no pending authorization request of the demo (it was answered " +
          "already, or expired).",
      );
    }
    // RFC 6749 §10.12: the answer must belong to the request this browser sent, or someone is
    // injecting their own code (CSRF). Nothing is exchanged, and the pending request stays.
    if (!(await timingSafeEqual(query.get("state") ?? "", pending.state))) {
      throw new DemoError(
        "The state does not match",
        "The callback's state is not the one the demo sent (RFC 6749 §10.12): this answer " +
          "belongs to another request, so its code is not used.",
        403,
      );
    }
    // RFC 9207 §2.4: the answer must come from the issuer the request went to (mix-up attacks).
    const issuer = c.get("issuer");
    if (query.get("iss") !== issuer) {
      throw new DemoError(
        "The issuer does not match",
        `The callback's iss is not ${issuer} (RFC 9207 §2.4), so its code is not used.`,
        403,
      );
    }
    const { client } = await parties(c);
    if (client.clientId !== run.clientId) {
      throw startAgain("The demo client changed", "The demo application was registered again.");
    }
    // The state is single-use: whatever happens next, this answer is consumed.
    const csrf = csrfToken(c);
    const consumed: DemoState = { clientId: run.clientId, csrf };
    const checks = [
      { text: "state equals the one the demo sent (RFC 6749 §10.12)", ok: true },
      { text: `iss equals ${issuer} (RFC 9207 §2.4)`, ok: true },
    ];
    const error = query.get("error");
    if (error !== null) {
      await writeDemoState(c, consumed);
      const description = query.get("error_description") ?? "";
      return renderPage(
        c,
        <DeniedPage
          callbackUrl={c.req.url}
          error={error}
          description={description}
          checks={checks}
          csrf={csrf}
        />,
      );
    }
    const code = query.get("code");
    if (code === null) {
      throw startAgain("No code", "The callback carries neither a code nor an error.");
    }
    const exchange = await call(c, {
      method: "POST",
      path: "/token",
      authorization: clientSecretBasic(client),
      form: {
        grant_type: "authorization_code",
        code,
        redirect_uri: client.redirectUri,
        code_verifier: pending.verifier,
      },
    });
    const tokens = issuedTokens(exchange.response);
    if (tokens === undefined) {
      await writeDemoState(c, consumed);
      const page = (
        <CallbackPage callbackUrl={c.req.url} checks={checks} exchange={exchange} csrf={csrf} />
      );
      return renderPage(c, page, { status: 502 });
    }
    const idToken = tokens.id_token;
    const expected = { clientId: client.clientId, nonce: pending.nonce };
    const idChecks =
      idToken === undefined ? [] : await checkIdToken(c, gatehouse, idToken, expected);
    const refresh = tokens.refresh_token;
    await writeDemoState(c, {
      ...consumed,
      tokens: { access: tokens.access_token, ...(refresh === undefined ? {} : { refresh }) },
    });
    return renderPage(
      c,
      <CallbackPage
        callbackUrl={c.req.url}
        checks={checks}
        exchange={exchange}
        accessToken={decodeToken(tokens.access_token)}
        {...(idToken === undefined ? {} : { idToken: decodeToken(idToken) })}
        idChecks={idChecks}
        csrf={csrf}
      />,
    );
  });

  demo.post("/demo/api", limit, async (c) => {
    const { run, tokens } = await continueRun(c);
    const bearer = { scheme: "Bearer", token: tokens.access } as const;
    const withToken = await call(c, { method: "GET", path: "/api/me", authorization: bearer });
    const withoutToken = await call(c, { method: "GET", path: "/api/me" });
    return renderPage(
      c,
      <ApiPage withToken={withToken} withoutToken={withoutToken} csrf={run.csrf} />,
    );
  });

  demo.post("/demo/refresh", limit, async (c) => {
    const { run, tokens, client } = await continueRun(c);
    const old = tokens.refresh;
    if (old === undefined) throw startAgain("No refresh token", "This run got no refresh token.");
    const exchange = await refreshWith(c, client, old);
    const issued = issuedTokens(exchange.response);
    // The old token at once again, as a client whose response was lost would: within the grace
    // it gets the same new refresh token, not a third one (src/oauth/grants/refresh-token.ts).
    // Without a grace (REFRESH_TOKEN_REUSE_GRACE=0) that would be reuse and end the grant: skipped.
    const graceSeconds = c.get("config").refreshTokenReuseGrace;
    const retry =
      issued === undefined || graceSeconds === 0 ? undefined : await refreshWith(c, client, old);
    const refresh = issued?.refresh_token;
    if (issued !== undefined) {
      await writeDemoState(c, {
        ...run,
        tokens: {
          access: issued.access_token,
          ...(refresh === undefined ? {} : { refresh }),
          previousRefresh: old,
        },
      });
    }
    return renderPage(
      c,
      <RefreshPage
        exchange={exchange}
        oldRefresh={old}
        {...(refresh === undefined ? {} : { newRefresh: refresh })}
        {...(retry === undefined ? {} : { retry })}
        graceSeconds={graceSeconds}
        csrf={run.csrf}
      />,
      { status: issued === undefined ? 502 : 200 },
    );
  });

  demo.post("/demo/revoke", limit, async (c) => {
    const { run, tokens, client } = await continueRun(c);
    const refresh = tokens.refresh;
    if (refresh === undefined) {
      throw startAgain("No refresh token", "This run got no refresh token.");
    }
    const revocation = await call(c, {
      method: "POST",
      path: "/revoke",
      authorization: clientSecretBasic(client),
      form: { token: refresh, token_type_hint: "refresh_token" },
    });
    const current = await refreshWith(c, client, refresh);
    const previous =
      tokens.previousRefresh === undefined
        ? undefined
        : await refreshWith(c, client, tokens.previousRefresh);
    const introspection = await call(c, {
      method: "POST",
      path: "/introspect",
      authorization: clientSecretBasic(client),
      form: { token: tokens.access, token_type_hint: "access_token" },
    });
    const api = await call(c, {
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
      throw startAgain(
        "No demo is running",
        "This browser has no demo run (it expired after an hour, or never started).",
      );
    }
    await verifyCsrf(c, form.get("csrf"), run.csrf);
    const tokens = run.tokens;
    if (tokens === undefined) {
      throw startAgain(
        "No tokens yet",
        "This run has no tokens (they were revoked, or the sign-in did not finish).",
      );
    }
    const { client } = await parties(c);
    if (client.clientId !== run.clientId) {
      throw startAgain("The demo client changed", "The demo application was registered again.");
    }
    return { run, tokens, client };
  }

  return demo;
}

/** Demo errors and the OAuthErrors of verifyCsrf and readParams, as a demo page. */
function onDemoError(err: Error, c: Context<AppEnv>): Promise<Response> {
  if (err instanceof DemoError) {
    const page = <DemoErrorPage title={err.title} message={err.message} />;
    return renderPage(c, page, { status: err.status });
  }
  const oauth = toOAuthError(err);
  const status = oauth.status >= 400 && oauth.status <= 599 ? oauth.status : 500;
  const page = <DemoErrorPage title="The demo could not go on" message={oauth.description} />;
  return renderPage(c, page, { status });
}
