/**
 * The demo's steps after the code exchange: the API call (step 7), refresh with rotation
 * (step 8) and revocation (step 9).
 */
import { DemoFrame, ExchangeView, StepButton } from "./demo-pages";
import type { RecordedExchange } from "./gatehouse-call";

export function ApiPage(props: {
  withToken: RecordedExchange;
  withoutToken: RecordedExchange;
  csrf: string;
}) {
  return (
    <DemoFrame title="Demo: API call">
      <h1>Step 7: the API is called with the access token</h1>
      <p>
        The demo's server calls Gatehouse's example API with the access token as a bearer token
        (RFC 6750 §2.1). The API checks the signature against Gatehouse's published keys, the
        issuer, the audience and the expiry locally: no call to Gatehouse, no storage read.
      </p>
      <ExchangeView exchange={props.withToken} />
      <h2>The same call without a token</h2>
      <p>
        Refused with 401 and a <code>WWW-Authenticate</code> challenge (RFC 6750 §3) that names
        the API's metadata (RFC 9728), where a client learns which authorization server to ask.
      </p>
      <ExchangeView exchange={props.withoutToken} />
      <StepButton action="/demo/refresh" label="Refresh the tokens" csrf={props.csrf} />
    </DemoFrame>
  );
}

export function RefreshPage(props: {
  exchange: RecordedExchange;
  oldRefresh: string;
  newRefresh?: string;
  /** The old refresh token presented again at once. */
  retry?: RecordedExchange;
  /** REFRESH_TOKEN_REUSE_GRACE. */
  graceSeconds: number;
  csrf: string;
}) {
  const rotated = props.newRefresh !== undefined && props.newRefresh !== props.oldRefresh;
  return (
    <DemoFrame title="Demo: refresh">
      <h1>Step 8: refresh, and the refresh token rotates</h1>
      <p>
        Access tokens are short-lived; when one expires the demo's server trades its refresh token
        for new tokens (RFC 6749 §6), authenticating with its secret again.
      </p>
      <ExchangeView exchange={props.exchange} />
      {props.newRefresh === undefined ? (
        <>
          <p role="alert" class="alert">
            The refresh was refused, so this run ends here.
          </p>
          <StepButton action="/demo/start" label="Start again" csrf={props.csrf} />
        </>
      ) : (
        <>
          <table>
            <tbody>
              <tr>
                <th scope="row">Refresh token sent</th>
                <td>
                  <code>{props.oldRefresh}</code>
                </td>
              </tr>
              <tr>
                <th scope="row">Refresh token received</th>
                <td>
                  <code>{props.newRefresh}</code>
                </td>
              </tr>
            </tbody>
          </table>
          <p class="muted">
            A Gatehouse refresh token is <code>user.grant.secret</code>: the user names the Durable
            Object that rotates it, the grant the consent it belongs to, and the secret is 256
            random bits. Gatehouse stores only the token's SHA-256.
          </p>
          <p>
            {rotated
              ? "A new refresh token replaced the old one (rotation, RFC 9700 §4.14.2): "
              : "The same refresh token came back: "}
            Gatehouse now knows only the new one. The old one is retired: if it comes back later,
            two parties hold it, one of them a thief, and Gatehouse ends the whole grant.
          </p>
          {props.retry === undefined ? null : (
            <>
              <h2>The old refresh token, sent again at once</h2>
              <p>
                The one exception: this same confidential client retrying within{" "}
                <code>REFRESH_TOKEN_REUSE_GRACE</code> ({props.graceSeconds} s), as it would after
                losing the response on the way. It gets the same new refresh token again, not a
                third one, and the grant goes on. Sent after the grace, the old token would be
                refused and the grant ended; step 9 shows it refused.
              </p>
              <ExchangeView exchange={props.retry} />
            </>
          )}
          <StepButton action="/demo/revoke" label="Revoke the grant" csrf={props.csrf} />
        </>
      )}
    </DemoFrame>
  );
}

export function RevokePage(props: {
  revocation: RecordedExchange;
  current: RecordedExchange;
  previous?: RecordedExchange;
  introspection: RecordedExchange;
  api: RecordedExchange;
  csrf: string;
}) {
  return (
    <DemoFrame title="Demo: revocation">
      <h1>Step 9: revocation</h1>
      <p>
        Signing out of the app for good: the demo's server revokes its refresh token (RFC 7009
        §2.1). Gatehouse ends the whole grant: every token issued under it.
      </p>
      <ExchangeView exchange={props.revocation} />
      <h2>The refresh token is now refused</h2>
      <ExchangeView exchange={props.current} />
      {props.previous === undefined ? null : (
        <>
          <h2>So is the one rotated away in step 8</h2>
          <ExchangeView exchange={props.previous} />
        </>
      )}
      <h2>The access token: inactive at introspection…</h2>
      <p>
        Introspection (RFC 7662) asks Gatehouse, which knows the grant has ended.
      </p>
      <ExchangeView exchange={props.introspection} />
      <h2>…but the API still accepts it until it expires</h2>
      <p>
        The API validates the JWT locally and never asks Gatehouse, so a revoked grant's access
        token works until its <code>exp</code>. That is why access tokens live only minutes; an
        API that must stop at once introspects instead.
      </p>
      <ExchangeView exchange={props.api} />
      <StepButton action="/demo/start" label="Start again" csrf={props.csrf} />
    </DemoFrame>
  );
}
