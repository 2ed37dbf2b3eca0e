import type { Context } from "hono";
import type { AppEnv } from "../http/app-env";
import { Layout } from "./layout";
import type { LoginPageProps, PasswordFormProps } from "./props";
import { renderPage, type RenderPageOptions } from "./render";

/** The id of the page's error message, which the forms' inputs name in aria-describedby. */
export const LOGIN_ERROR_ID = "login-error";

/** The login page: the client's name, the error of a failed attempt, each method's form. */
export function LoginPage(props: LoginPageProps) {
  return (
    <Layout title="Sign in">
      <h1>Sign in to continue to {props.clientName}</h1>
      {props.error ? (
        <p class="alert" role="alert" id={LOGIN_ERROR_ID}>
          {props.error}
        </p>
      ) : null}
      {props.forms}
    </Layout>
  );
}

/**
 * The password method's form (src/auth/password/method.ts). It posts back the sealed request and
 * the CSRF token as hidden fields; autocomplete hints let password managers fill it
 * (WCAG 2.2 SC 1.3.5, 3.3.8).
 */
export function PasswordForm(props: PasswordFormProps) {
  const hasUsername = Boolean(props.username);
  return (
    <form method="post" action={props.action}>
      <input type="hidden" name="request" value={props.request} />
      <input type="hidden" name="csrf" value={props.csrf} />
      <label for="username">Username</label>
      <input
        id="username"
        name="username"
        type="text"
        autocomplete="username"
        autocapitalize="none"
        spellcheck={false}
        required
        value={props.username ?? ""}
        autofocus={!hasUsername}
        aria-describedby={props.errorId}
      />
      <label for="password">Password</label>
      <input
        id="password"
        name="password"
        type="password"
        autocomplete="current-password"
        required
        autofocus={hasUsername}
      />
      <button type="submit">Sign in</button>
    </form>
  );
}

export function renderLoginPage(
  c: Context<AppEnv>,
  props: LoginPageProps,
  options?: RenderPageOptions,
): Promise<Response> {
  return renderPage(c, <LoginPage {...props} />, options);
}
