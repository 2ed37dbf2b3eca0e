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

export { renderConsentPage, ConsentPage } from "./consent-page";
export { renderErrorPage, ErrorPage } from "./error-page";
export {
  renderLogoutConfirmPage,
  renderSignedOutPage,
  LogoutConfirmPage,
  SignedOutPage,
} from "./logout-page";
export { renderLoginPage, LoginPage, LOGIN_ERROR_ID, PasswordForm } from "./login-page";
export { renderPage, pageContentSecurityPolicy, type RenderPageOptions } from "./render";
export { describeScope, describeScopes } from "./scopes";
export type {
  ConsentPageProps,
  LoginPageProps,
  PasswordFormProps,
  ScopeDescription,
} from "./props";
