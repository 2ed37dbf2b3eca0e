import type { Context } from "hono";
import type { AppEnv } from "../http/app-env";
import { Layout } from "./layout";
import type { ConsentPageProps } from "./props";
import { renderPage, type RenderPageOptions } from "./render";

/**
 * Asks the signed-in user to let a client have the listed scopes (RFC 6749 §4.1.1 step B,
 * OpenID Connect Core §3.1.2.4). Names who asks, who is asked, what for and where the browser
 * goes next, so that a user can spot a client pretending to be another (RFC 9700 §4.1.4), and
 * the RFC 8707 resources the tokens will be for. For an app that cannot prove its identity
 * (RFC 8252 §8.6) it says why the user is asked again. When allowing issues a refresh token it
 * says that the application keeps access while the user is away (OIDC Core §11).
 * Both buttons submit the same form; only the pressed one's `decision` value is sent.
 */
export function ConsentPage(props: ConsentPageProps) {
  return (
    <Layout title="Allow access">
      <h1>{props.clientName} wants to access your account</h1>
      <p>
        Signed in as <strong>{props.userName}</strong>
      </p>
      {props.scopes.length > 0 ? (
        <>
          <p>It asks for:</p>
          <ul class="scopes">
            {props.scopes.map((s) => (
              <li>
                {s.description}
                {s.description !== s.scope ? (
                  <span class="muted">
                    {" "}
                    (<code>{s.scope}</code>)
                  </span>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p>It asks for no specific permissions.</p>
      )}
      {props.resources && props.resources.length > 0 ? (
        <>
          <p>For use with these services:</p>
          <ul class="resources">
            {props.resources.map((r) => (
              <li>
                <code>{r}</code>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {props.keepsAccess ? (
        <p role="note" id="keeps-access">
          <strong>{props.clientName}</strong> will keep this access while you are not using it,
          until the access expires or is revoked.
        </p>
      ) : null}
      {props.confirmEveryTime ? (
        <p class="alert" role="note" id="confirm-every-time">
          This is an app on your device. Gatehouse cannot verify which app is asking, so you are
          asked each time. Allow only if you have just started signing in to{" "}
          <strong>{props.clientName}</strong> yourself.
        </p>
      ) : null}
      {props.clientHost ? (
        <p class="alert" role="note" id="client-host">
          This application is identified by <strong>{props.clientHost}</strong>, which publishes
          its details; its name is its own claim. You are asked each time.
        </p>
      ) : null}
      {props.clientHost && props.runsLocally ? (
        <p class="alert" role="note" id="runs-locally">
          This app runs on your own computer, so any program on it could claim to be{" "}
          <strong>{props.clientName}</strong> from {props.clientHost}. Allow only if you have
          just started signing in to it yourself.
        </p>
      ) : null}
      {props.clientUri ? <p class="muted">Application website: {props.clientUri}</p> : null}
      {props.selfRegistered ? (
        <p class="muted" id="self-registered">
          This application registered itself with Gatehouse: its name and website are its own
          claims, not checked by anyone.
        </p>
      ) : null}
      <p class="muted">
        Whichever you choose, you will then be sent to <strong>{props.redirectOrigin}</strong>.
      </p>
      <form method="post" action={props.action}>
        <input type="hidden" name="request" value={props.request} />
        <input type="hidden" name="csrf" value={props.csrf} />
        <div class="actions">
          <button type="submit" name="decision" value="deny" class="secondary">
            Deny
          </button>
          <button type="submit" name="decision" value="allow">
            Allow
          </button>
        </div>
      </form>
    </Layout>
  );
}

export function renderConsentPage(
  c: Context<AppEnv>,
  props: ConsentPageProps,
  options?: RenderPageOptions,
): Promise<Response> {
  return renderPage(c, <ConsentPage {...props} />, options);
}
