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
 *
 * Languages and brand: renderPage renders the page in the language negotiated from the
 * request's ui_locales (options.uiLocales) and Accept-Language (./language.ts), with the
 * configured brand (config.brand), and sets Content-Language and Vary: Accept-Language. Page
 * texts live in ./messages/ (one file per language, complete by type); components read them, the
 * brand and the stylesheet with usePage() (./page-context.ts), so Layout needs no more props.
 * Build pages as elements (renderPage(c, <MyPage />)): a component runs, and reads its
 * settings, while renderPage renders it; Layout(...) called directly is safe too.
 */

export { renderConsentPage, ConsentPage } from "./consent-page";
export { renderErrorPage, ErrorPage } from "./error-page";
export {
  renderLogoutConfirmPage,
  renderSignedOutPage,
  LogoutConfirmPage,
  SignedOutPage,
} from "./logout-page";
export { renderLoginPage, LoginPage, LOGIN_ERROR_ID, loginErrorText, PasswordForm } from "./login-page";
export { negotiateLanguage } from "./language";
export { usePage } from "./page-context";
export { renderPage, pageContentSecurityPolicy, type RenderPageOptions } from "./render";
export { describeScope, describeScopes } from "./scopes";
export type {
  ConsentPageProps,
  LoginPageProps,
  PasswordFormProps,
  ScopeDescription,
} from "./props";
