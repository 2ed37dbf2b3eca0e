import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { AppEnv } from "../http/app-env";
import { Layout } from "./layout";
import type { LoginErrorKey } from "./messages";
import { usePage } from "./page-context";
import type { LoginPageProps, PasswordFormProps } from "./props";
import { renderPage, type RenderPageOptions } from "./render";

/** The id of the page's error message, which the forms' inputs name in aria-describedby. */
export const LOGIN_ERROR_ID = "login-error";

/** The login page: the client's name, the error of a failed attempt, each method's form. */
export function LoginPage(props: LoginPageProps) {
  const { messages } = usePage();
  return (
    <Layout title={messages.login.title}>
      <h1>{messages.login.heading(props.clientName)}</h1>
      {props.error ? (
        <p class="alert" role="alert" id={LOGIN_ERROR_ID}>
          {props.error}
        </p>
      ) : null}
      {props.forms}
    </Layout>
  );
}

/** A login method's failure message (src/auth/method.ts), in the page's language. */
export function loginErrorText(key: LoginErrorKey): Child {
  return <LoginErrorText name={key} />;
}

function LoginErrorText({ name }: { name: LoginErrorKey }) {
  return <>{usePage().messages.login.errors[name]}</>;
}

/**
 * The password method's form (src/auth/password/method.ts). It posts back the sealed request and
 * the CSRF token as hidden fields; autocomplete hints let password managers fill it
 * (WCAG 2.2 SC 1.3.5, 3.3.8). After a failed attempt both fields are marked invalid and
 * described by the page's error message (SC 3.3.1).
 *
 * Login methods call it directly to build the page, before the page is rendered: it returns a
 * component element, so its texts are chosen while rendering, in the page's language.
 */
export function PasswordForm(props: PasswordFormProps) {
  return <PasswordFormFields {...props} />;
}

function PasswordFormFields(props: PasswordFormProps) {
  const { messages } = usePage();
  const hasUsername = Boolean(props.username);
  const invalid = props.errorId ? "true" : undefined;
  return (
    <form method="post" action={props.action}>
      <input type="hidden" name="request" value={props.request} />
      <input type="hidden" name="csrf" value={props.csrf} />
      <label for="username">{messages.login.username}</label>
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
        aria-invalid={invalid}
      />
      <label for="password">{messages.login.password}</label>
      <input
        id="password"
        name="password"
        type="password"
        autocomplete="current-password"
        required
        autofocus={hasUsername}
        aria-describedby={props.errorId}
        aria-invalid={invalid}
      />
      <button type="submit">{messages.login.submit}</button>
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
