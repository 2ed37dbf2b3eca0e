import type { Context } from "hono";
import type { AppEnv } from "../http/app-env";
import { Layout } from "./layout";
import { usePage } from "./page-context";
import type { ConsentPageProps } from "./props";
import { renderPage, type RenderPageOptions } from "./render";
import { describeScopes } from "./scopes";

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
  const { messages, brand } = usePage();
  const m = messages.consent;
  const client = <strong>{props.clientName}</strong>;
  const scopes = describeScopes(props.scopes, messages);
  return (
    <Layout title={m.title}>
      <h1>{m.heading(props.clientName)}</h1>
      <p>{m.signedInAs(<strong>{props.userName}</strong>)}</p>
      {scopes.length > 0 ? (
        <>
          <p>{m.asksFor}</p>
          <ul class="scopes">
            {scopes.map((s) => (
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
        <p>{m.asksForNothing}</p>
      )}
      {props.resources && props.resources.length > 0 ? (
        <>
          <p>{m.resources}</p>
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
          {m.keepsAccess(client)}
        </p>
      ) : null}
      {props.confirmEveryTime ? (
        <p class="alert" role="note" id="confirm-every-time">
          {m.confirmEveryTime(client, brand.name)}
        </p>
      ) : null}
      {props.clientHost ? (
        <p class="alert" role="note" id="client-host">
          {m.clientHost(<strong>{props.clientHost}</strong>)}
        </p>
      ) : null}
      {props.clientHost && props.runsLocally ? (
        <p class="alert" role="note" id="runs-locally">
          {m.runsLocally(client, props.clientHost)}
        </p>
      ) : null}
      {props.clientUri ? <p class="muted">{m.clientUri(props.clientUri)}</p> : null}
      {props.selfRegistered ? (
        <p class="muted" id="self-registered">
          {m.selfRegistered(brand.name)}
        </p>
      ) : null}
      <p class="muted">{m.redirect(<strong>{props.redirectOrigin}</strong>)}</p>
      <form method="post" action={props.action}>
        <input type="hidden" name="request" value={props.request} />
        <input type="hidden" name="csrf" value={props.csrf} />
        <div class="actions">
          <button type="submit" name="decision" value="deny" class="secondary">
            {m.deny}
          </button>
          <button type="submit" name="decision" value="allow">
            {m.allow}
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
