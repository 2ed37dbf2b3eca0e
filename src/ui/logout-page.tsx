import type { Context } from "hono";
import type { AppEnv } from "../http/app-env";
import { Layout } from "./layout";
import { usePage } from "./page-context";
import { renderPage } from "./render";

export interface LogoutConfirmPageProps {
  /** Where the form posts: the end-session endpoint. */
  action: string;
  csrf: string;
  /** The request's parameters, carried to the POST and validated again there. */
  carried: Readonly<Record<string, string>>;
  /** The application that asked, when it is identified. */
  clientName?: string | undefined;
}

/**
 * "Sign out of Gatehouse?" (OIDC RP-Initiated Logout 1.0 §2: the OP asks the user when the
 * request does not prove that the signed-in user's application sent it). A form, not a link: a
 * cross-site page cannot submit it (CSRF token, SameSite cookie).
 */
export function LogoutConfirmPage(props: LogoutConfirmPageProps) {
  const { messages, brand } = usePage();
  const m = messages.logout;
  return (
    <Layout title={m.title}>
      <h1>{m.heading(brand.name)}</h1>
      {props.clientName ? <p>{m.clientAsks(<strong>{props.clientName}</strong>)}</p> : null}
      <p class="muted">{m.consequence(brand.name)}</p>
      <form method="post" action={props.action}>
        <input type="hidden" name="csrf" value={props.csrf} />
        {Object.entries(props.carried).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <button type="submit" name="logout" value="yes">
          {m.submit}
        </button>
      </form>
    </Layout>
  );
}

/** What the user sees once signed out, when no application asked to have them back. */
export function SignedOutPage() {
  const m = usePage().messages.logout;
  return (
    <Layout title={m.signedOutTitle}>
      <h1>{m.signedOutHeading}</h1>
      <p class="muted">{m.closePage}</p>
    </Layout>
  );
}

/**
 * The confirmation page. `returnTo` (the validated post_logout_redirect_uri) is allowed as a form
 * target: Chromium applies form-action to the redirect that follows the POST.
 */
export function renderLogoutConfirmPage(
  c: Context<AppEnv>,
  props: LogoutConfirmPageProps,
  returnTo: string | undefined,
  uiLocales?: string,
): Promise<Response> {
  return renderPage(c, <LogoutConfirmPage {...props} />, {
    formActionOrigins: returnTo === undefined ? [] : [returnTo],
    uiLocales,
  });
}

export function renderSignedOutPage(c: Context<AppEnv>, uiLocales?: string): Promise<Response> {
  return renderPage(c, <SignedOutPage />, { uiLocales });
}
