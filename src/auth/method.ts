/**
 * The shape of a login method (password now; passkeys and upstream OpenID Connect next). A method
 * owns its routes, its form on the login page and its throttle, and knows nothing of OAuth: the
 * pending authorization request crosses its form as an opaque sealed ticket, and every method
 * ends in completeLogin (./complete-login.ts).
 *
 * auth/ sits below oauth/ (DESIGN.md "Layers"), so a method cannot call the authorization flow.
 * The flow hands itself down instead: src/oauth/login.ts implements LoginHost and registers each
 * method's routes with it, and a sign-in resumes the authorization through the PendingLogin the
 * host opened. The import arrows all point down: oauth → auth → ui/http/storage.
 */
import type { Context, Hono } from "hono";
import type { Child } from "hono/jsx";
import type { AppEnv } from "../http/app-env";
import type { Params } from "../http/params";
import type { Session } from "../http/session";
import type { UserRecord } from "../storage/users";
import type { LoginErrorKey } from "../ui/messages";

export interface LoginMethod {
  /** Its name in LOGIN_METHODS (src/auth/methods.ts). */
  readonly id: string;
  /** RFC 8176 method references a sign-in with it proves (OIDC Core §2 `amr`). */
  readonly amr: readonly string[];
  /** The authentication context class it satisfies, when it states one (OIDC Core §2 `acr`). */
  readonly acr?: string;
  /** Registers its routes; each handler opens the pending sign-in through `host`. */
  routes(app: Hono<AppEnv>, host: LoginHost): void;
  /** Its form on the login page, posting back the hidden fields of `form`. */
  renderForm(form: LoginForm): Child;
}

/** What the login page gives every method's form. */
export interface LoginForm {
  /** The sealed pending request: hidden field `request`. */
  request: string;
  /** The browser's CSRF token (src/http/csrf.ts): hidden field `csrf`. */
  csrf: string;
  /** login_hint, or what a failed attempt typed. */
  username?: string;
  /** The id of the page's error message, for aria-describedby, when one is shown. */
  errorId?: string;
}

/** The protocol layer's side of a sign-in (src/oauth/login.ts). */
export interface LoginHost {
  /**
   * Opens the POST of `method`'s form: parses it, opens the sealed ticket and checks its CSRF
   * token. Throws when the method is not configured (404) or the ticket or token is bad.
   */
  open(c: Context<AppEnv>, method: LoginMethod): Promise<PendingLogin>;
}

/** A sign-in in progress: the posted form and the authorization request waiting for it. */
export interface PendingLogin {
  readonly form: Params;
  /** The login page again, with an error (a wrong password, a throttled attempt). */
  retry(failure: LoginFailure): Promise<Response>;
  /** Resumes the authorization as `user`, whose session completeLogin just started. */
  resume(session: Session, user: UserRecord): Promise<Response>;
}

export interface LoginFailure {
  /** Its message (src/ui/messages/), shown with role="alert" in the page's language. */
  error: LoginErrorKey;
  status: number;
  /** Typed back into the form. */
  username?: string;
  headers?: Record<string, string>;
}
