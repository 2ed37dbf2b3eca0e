/**
 * The demo's pages (hono/jsx, Gatehouse's page frame: no script, nothing from third parties).
 * They render what the routes give them; every request and response shown is a real one.
 */
import type { Child } from "hono/jsx";
import { Layout } from "../ui/layout";
import type { ParameterRow } from "./authorization-request";
import type { RecordedExchange } from "./gatehouse-call";
import type { Claim, DecodedJwt } from "./token-anatomy";

export function DemoFrame({ title, children }: { title: string; children?: Child }) {
  return (
    <Layout title={title}>
      <div class="demo">{children}</div>
    </Layout>
  );
}

/** A button that moves to the next step: a POST form with the run's anti-CSRF token. */
export function StepButton(props: { action: string; label: string; csrf: string }) {
  const { action, label, csrf } = props;
  return (
    <form method="post" action={action}>
      <input type="hidden" name="csrf" value={csrf} />
      <button type="submit">{label}</button>
    </form>
  );
}

export function LandingPage(props: { username: string; password: string; csrf: string }) {
  return (
    <DemoFrame title="Welcome">
      <h1>Welcome to Gatehouse</h1>
      <p>
        Gatehouse is an OAuth 2.1 and OpenID Connect authorization server that runs on Cloudflare
        Workers. Applications send their users here to sign in and get back short-lived, signed
        access tokens that any API can check on its own. It keeps the rules of RFC 9700 (PKCE,
        exact redirect URIs, single-use codes, rotating refresh tokens) so your applications do
        not have to.
      </p>
      <h2>Try the demo</h2>
      <p>
        A demo application (a confidential client: its secret stays on the server) signs you in
        through Gatehouse and calls a protected API. Every step shows its real request and
        response, and the tokens taken apart. Sign in as the demo user (its password was made at
        random for this machine):
      </p>
      <table>
        <tbody>
          <tr>
            <th scope="row">Username</th>
            <td>
              <code>{props.username}</code>
            </td>
          </tr>
          <tr>
            <th scope="row">Password</th>
            <td>
              <code>{props.password}</code>
            </td>
          </tr>
        </tbody>
      </table>
      <StepButton action="/demo/start" label="Try the demo" csrf={props.csrf} />
      <p class="muted">
        This page and the demo exist only in local development (an issuer on localhost,
        127.0.0.1 or [::1]); a deployed Gatehouse serves none of it.
      </p>
    </DemoFrame>
  );
}

export function AuthorizeStepPage(props: { url: string; parameters: ParameterRow[] }) {
  return (
    <DemoFrame title="Demo: authorization request">
      <h1>Step 1: send the user to Gatehouse</h1>
      <p>
        The demo application has made a fresh <code>state</code>, a PKCE code verifier and a{" "}
        <code>nonce</code>, kept on its side, and now sends your browser to Gatehouse's
        authorization endpoint (RFC 6749 §4.1.1):
      </p>
      <pre>{props.url}</pre>
      <ParameterTable rows={props.parameters} />
      <p>
        Next, Gatehouse's own pages: sign in (step 2; skipped if you already have a Gatehouse
        session) and allow the demo application (step 3). Gatehouse then sends you back to the
        demo's callback.
      </p>
      <p>
        <a class="button" href={props.url}>
          Continue to Gatehouse
        </a>
      </p>
    </DemoFrame>
  );
}

function ParameterTable({ rows }: { rows: ParameterRow[] }) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Parameter</th>
          <th scope="col">Value</th>
          <th scope="col">Why</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr>
            <td>
              <code>{row.name}</code>
            </td>
            <td>
              <code>{row.value}</code>
            </td>
            <td>{row.meaning}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One HTTP exchange as it went over the (in-process) wire. */
export function ExchangeView({ exchange }: { exchange: RecordedExchange }) {
  const { request, response } = exchange;
  const requestText = [
    `${request.method} ${request.url}`,
    ...request.headers.map(([k, v]) => `${k}: ${v}`),
    ...(request.body === undefined ? [] : ["", request.body]),
  ].join("\n");
  const body = response.json === undefined ? response.body : JSON.stringify(response.json, null, 2);
  const responseText = [
    `HTTP ${response.status}`,
    ...response.headers.map(([k, v]) => `${k}: ${v}`),
    ...(body === "" ? [] : ["", body]),
  ].join("\n");
  return (
    <>
      <p class="muted">Request</p>
      <pre>{requestText}</pre>
      <p class="muted">Response</p>
      <pre>{responseText}</pre>
    </>
  );
}

function ClaimTable({ caption, claims }: { caption: string; claims: Claim[] }) {
  return (
    <table>
      <caption>{caption}</caption>
      <tbody>
        {claims.map((claim) => (
          <tr>
            <th scope="row">
              <code>{claim.name}</code>
            </th>
            <td>
              <code>{claim.value}</code>
            </td>
            <td>{claim.meaning}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function JwtView({ title, decoded }: { title: string; decoded: DecodedJwt }) {
  return (
    <>
      <h3>{title}</h3>
      <ClaimTable caption="Header" claims={decoded.header} />
      <ClaimTable caption="Payload (claims)" claims={decoded.claims} />
    </>
  );
}

/** What the client checked, each with its rule. */
export function CheckList({ checks }: { checks: { text: string; ok: boolean }[] }) {
  return (
    <ul>
      {checks.map((check) => (
        <li>
          <span class={check.ok ? "ok" : "alert"}>{check.ok ? "✓" : "✗"}</span> {check.text}
        </li>
      ))}
    </ul>
  );
}

export function DemoErrorPage({ title, message }: { title: string; message: string }) {
  return (
    <DemoFrame title="Demo: error">
      <h1>{title}</h1>
      <p role="alert" class="alert">
        {message}
      </p>
      <p>
        <a href="/">Back to the start</a>
      </p>
    </DemoFrame>
  );
}
