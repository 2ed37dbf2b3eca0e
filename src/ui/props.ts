/** What each page renders: the props of Gatehouse's pages (src/ui/pages.ts lists the pages). */
import type { Child } from "hono/jsx";

export interface LoginPageProps {
  /** The client's display name (client_name, else client_id). */
  clientName: string;
  /**
   * "Invalid username or password", "Too many attempts…", shown with role="alert": build it with
   * loginErrorText(key) (./login-page.tsx), so it follows the page's language.
   */
  error?: Child;
  /** One form per configured login method (src/auth/methods.ts), in order. */
  forms: Child;
}

export interface PasswordFormProps {
  /** Sealed pending authorization request, posted back in a hidden field. */
  request: string;
  /** Anti-CSRF token, posted back in a hidden field named "csrf". */
  csrf: string;
  /** Form action (POST). */
  action: string;
  /** Pre-fills the username field (login_hint, or the value of a failed attempt). */
  username?: string;
  /** The page's error message, named in aria-describedby. */
  errorId?: string;
}

export interface ScopeDescription {
  scope: string;
  description: string;
}

export interface ConsentPageProps {
  clientName: string;
  /** Shown as text, never as a link. */
  clientUri?: string;
  /** Origin of the redirect URI the browser will be sent to, shown to the user. */
  redirectOrigin: string;
  /** The requested scopes; the page describes them in its language (./scopes.ts). */
  scopes: readonly string[];
  /** RFC 8707 resources (the services the tokens will be for), shown as text. */
  resources?: string[];
  /**
   * The client cannot prove which app it is (a native public client, RFC 8252 §8.6): the page
   * says why it is asked every time, even after the user allowed it before.
   */
  confirmEveryTime?: boolean;
  /**
   * The client registered itself (RFC 7591) and nobody vouches for it: the page says so
   * (RFC 7591 §5, RFC 9700 §4.11.2: informing the user helps them decide).
   */
  selfRegistered?: boolean;
  /**
   * The host publishing the client's metadata document, when its client_id is a URL
   * (draft-ietf-oauth-client-id-metadata-document-02): the page names it, and says the user is
   * asked every time.
   */
  clientHost?: string;
  /** With clientHost: every redirect URI is on a loopback host, so the app runs locally. */
  runsLocally?: boolean;
  /**
   * Allowing issues a refresh token (src/oauth/refresh-policy.ts): the application keeps access
   * while the user is away (OIDC Core §11 offline access), and the page says so.
   */
  keepsAccess?: boolean;
  /** Who is logged in (name or username). */
  userName: string;
  request: string;
  csrf: string;
  action: string;
}
