/**
 * The demo's callback pages: the authorization response arriving (steps 4 to 6: the code, its
 * exchange at the token endpoint, the tokens taken apart), or the error it carries instead.
 */
import { CheckList, DemoFrame, ExchangeView, JwtView, StepButton } from "./demo-pages";
import type { RecordedExchange } from "./gatehouse-call";
import type { DecodedJwt } from "./token-anatomy";

type Checks = { text: string; ok: boolean }[];

function CallbackUrl({ url }: { url: string }) {
  return (
    <>
      <p>Gatehouse sent your browser back to the demo's redirect URI (RFC 6749 §4.1.2):</p>
      <pre>{url}</pre>
    </>
  );
}

export function CallbackPage(props: {
  callbackUrl: string;
  checks: Checks;
  exchange: RecordedExchange;
  accessToken?: DecodedJwt;
  idToken?: DecodedJwt;
  idChecks?: Checks;
  csrf: string;
}) {
  return (
    <DemoFrame title="Demo: code exchanged">
      <h1>Step 4: the code comes back</h1>
      <CallbackUrl url={props.callbackUrl} />
      <p>
        It carries a one-time <code>code</code> (valid for a minute, bound to this client, this
        redirect URI and the PKCE challenge), the <code>state</code> and Gatehouse's{" "}
        <code>iss</code>. Before using the code, the demo checked:
      </p>
      <CheckList checks={props.checks} />

      <h2>Step 5: the code is exchanged, server to server</h2>
      <p>
        The demo's server sends the code to the token endpoint (RFC 6749 §4.1.3) with its client
        secret (HTTP Basic, RFC 6749 §2.3.1: redacted here) and the PKCE verifier, which only it
        knows (RFC 7636 §4.5). The browser never sees this request.
      </p>
      <ExchangeView exchange={props.exchange} />

      {props.accessToken === undefined ? (
        <>
          <p role="alert" class="alert">
            The token endpoint refused the code, so this run ends here.
          </p>
          <StepButton action="/demo/start" label="Start again" csrf={props.csrf} />
        </>
      ) : (
        <>
          <h2>Step 6: the tokens, taken apart</h2>
          <p>
            Both are JWTs: base64url header, payload and signature. Anyone can read them (never put
            secrets in claims); only Gatehouse's private key can sign them.
          </p>
          <JwtView title="Access token (RFC 9068): for the API" decoded={props.accessToken} />
          {props.idToken === undefined ? null : (
            <JwtView
              title="ID token (OpenID Connect Core §2): for the demo app, who signed in"
              decoded={props.idToken}
            />
          )}
          <CheckList checks={props.idChecks ?? []} />
          <p>
            The refresh token is no JWT: an opaque random value that only Gatehouse can check (it
            stores its SHA-256, never the token).
          </p>
          <StepButton
            action="/demo/api"
            label="Call the API with the access token"
            csrf={props.csrf}
          />
        </>
      )}
    </DemoFrame>
  );
}

export function DeniedPage(props: {
  callbackUrl: string;
  error: string;
  description: string;
  checks: Checks;
  csrf: string;
}) {
  return (
    <DemoFrame title="Demo: access denied">
      <h1>Step 4: the answer is an error</h1>
      <CallbackUrl url={props.callbackUrl} />
      <p>
        Instead of a code, the callback carries <code>error={props.error}</code>
        {props.description === "" ? null : (
          <>
            {" "}
            (<q>{props.description}</q>)
          </>
        )}
        : the authorization was refused (RFC 6749 §4.1.2.1), so there is nothing to exchange. The
        demo still checked:
      </p>
      <CheckList checks={props.checks} />
      <StepButton action="/demo/start" label="Start again" csrf={props.csrf} />
    </DemoFrame>
  );
}
