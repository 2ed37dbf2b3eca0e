import type { Child } from "hono/jsx";
import type { OAuthErrorCode } from "../../protocol/errors";

/**
 * Every text of Gatehouse's pages, in one language. A language is one object of this type
 * (./en.tsx, ./de.tsx): a missing or misspelt key is a type error, so every language is
 * complete. Texts that embed a value are functions, so that each language puts the value where
 * its grammar wants it; values arrive as `Child` (already marked up, e.g. in <strong>) and are
 * escaped by hono/jsx like any other text.
 *
 * RFC error codes and the JSON error_description stay English (they are for developers,
 * RFC 6749 §5.2); only what a person reads on a page is here.
 */
export interface Messages {
  /** The page's language as a BCP 47 tag (RFC 5646), for <html lang> and Content-Language. */
  readonly tag: string;
  /** `title` of a page: "Sign in – Gatehouse". */
  readonly documentTitle: (page: string, brand: string) => string;
  readonly login: {
    readonly title: string;
    readonly heading: (client: Child) => Child;
    readonly username: string;
    readonly password: string;
    readonly submit: string;
    /** What a login method reports after a failed attempt (src/auth/method.ts LoginFailure). */
    readonly errors: {
      readonly invalidCredentials: string;
      readonly tooManyAttempts: string;
    };
  };
  readonly consent: {
    readonly title: string;
    readonly heading: (client: Child) => Child;
    readonly signedInAs: (user: Child) => Child;
    readonly asksFor: string;
    readonly asksForNothing: string;
    readonly resources: string;
    readonly keepsAccess: (client: Child) => Child;
    readonly confirmEveryTime: (client: Child, brand: string) => Child;
    readonly clientHost: (host: Child) => Child;
    readonly runsLocally: (client: Child, host: Child) => Child;
    readonly clientUri: (uri: Child) => Child;
    readonly selfRegistered: (brand: string) => Child;
    readonly redirect: (origin: Child) => Child;
    readonly allow: string;
    readonly deny: string;
    /**
     * What each scope means to the person asked (OIDC Core §5.4 for the standard claims scopes,
     * §11 for offline_access). Other scopes are shown by name (src/ui/scopes.ts).
     */
    readonly scopes: Readonly<Record<DescribedScope, string>>;
  };
  readonly error: {
    readonly title: string;
    /** What went wrong, in plain words, for the codes a browser can meet. */
    readonly summaries: Readonly<Record<PageErrorCode, string>>;
    /** Any other code. */
    readonly summary: string;
    readonly code: (code: Child) => Child;
    readonly startAgain: string;
  };
  readonly logout: {
    readonly title: string;
    readonly heading: (brand: string) => Child;
    readonly clientAsks: (client: Child) => Child;
    readonly consequence: (brand: string) => Child;
    readonly submit: string;
    readonly signedOutTitle: string;
    readonly signedOutHeading: string;
    readonly closePage: string;
  };
}

/** The scopes every language describes in plain words. */
export const DESCRIBED_SCOPES = ["openid", "profile", "email", "address", "phone", "offline_access"] as const;
export type DescribedScope = (typeof DESCRIBED_SCOPES)[number];

/** The error codes a browser can meet on the error page, each summarised in every language. */
export const PAGE_ERROR_CODES = [
  "invalid_request",
  "invalid_client",
  "unauthorized_client",
  "invalid_redirect_uri",
  "unsupported_response_type",
  "invalid_scope",
  "invalid_target",
  "access_denied",
  "login_required",
  "consent_required",
  "interaction_required",
  "temporarily_unavailable",
  "server_error",
] as const satisfies readonly OAuthErrorCode[];
export type PageErrorCode = (typeof PAGE_ERROR_CODES)[number];

/** The keys of a login method's failure messages (Messages["login"]["errors"]). */
export type LoginErrorKey = keyof Messages["login"]["errors"];
