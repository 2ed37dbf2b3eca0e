import type { Context } from "hono";
import type { AppEnv } from "../http/app-env";
import { Layout } from "./layout";
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
  return (
    <Layout title="Sign out">
      <h1>Sign out of Gatehouse?</h1>
      {props.clientName ? (
        <p>
          <strong>{props.clientName}</strong> asks to sign you out.
        </p>
      ) : null}
      <p class="muted">You will need to sign in again to use applications that sign in with Gatehouse.</p>
      <form method="post" action={props.action}>
        <input type="hidden" name="csrf" value={props.csrf} />
        {Object.entries(props.carried).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <button type="submit" name="logout" value="yes">
          Sign out
        </button>
      </form>
    </Layout>
  );
}

/** What the user sees once signed out, when no application asked to have them back. */
export function SignedOutPage() {
  return (
    <Layout title="Signed out">
      <h1>You are signed out</h1>
      <p class="muted">You can close this page.</p>
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
): Promise<Response> {
  return renderPage(c, <LogoutConfirmPage {...props} />, {
    formActionOrigins: returnTo === undefined ? [] : [returnTo],
  });
}

export function renderSignedOutPage(c: Context<AppEnv>): Promise<Response> {
  return renderPage(c, <SignedOutPage />);
}
