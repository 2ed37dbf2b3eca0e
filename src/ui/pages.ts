/**
 * Gatehouse's browser pages (hono/jsx, server-rendered, no JavaScript, nothing from third parties).
 *
 * How route handlers use them:
 *
 *   return renderLoginPage(c, { clientName, forms: [PasswordForm({ request, csrf, action })] }, {
 *     formActionOrigins: [redirectUri],   // the client's redirect URI (its origin is used)
 *     status: 400,                         // e.g. after a failed sign-in
 *   });
 *   return renderConsentPage(c, { clientName, userName, scopes: describeScopes(scopes),
 *     redirectOrigin, request, csrf, action }, { formActionOrigins: [redirectUri] });
 *   throw new OAuthError(...);  // authorization group, target not yet known → renderErrorPage
 *
 * renderPage(c, <Element />, options) is the generic helper behind all three. Every page response
 * carries exactly one Content-Security-Policy (default-src 'none'; the stylesheet by hash;
 * form-action 'self' plus formActionOrigins; frame-ancestors 'none'; base-uri 'none'),
 * X-Frame-Options DENY, Referrer-Policy no-referrer, X-Content-Type-Options nosniff and
 * Cache-Control no-store. Pass the client's redirect URI in formActionOrigins for the login and
 * consent forms: Chromium applies form-action to the redirect that follows the POST.
 *
 * Form fields posted back: login: request, csrf, username, password; consent: request, csrf,
 * decision ("allow" | "deny").
 */

import type { Child } from "hono/jsx";

export { renderConsentPage, ConsentPage } from "./consent-page";
export { renderErrorPage, ErrorPage } from "./error-page";
export { renderLoginPage, LoginPage, LOGIN_ERROR_ID, PasswordForm } from "./login-page";
export { renderPage, pageContentSecurityPolicy, type RenderPageOptions } from "./render";
export { describeScope, describeScopes } from "./scopes";

export interface LoginPageProps {
  /** The client's display name (client_name, else client_id). */
  clientName: string;
  /** "Invalid username or password", "Too many attempts…", shown with role="alert". */
  error?: string;
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
  /** Build with describeScopes(scopes). */
  scopes: ScopeDescription[];
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
  /** Who is logged in (name or username). */
  userName: string;
  request: string;
  csrf: string;
  action: string;
}
