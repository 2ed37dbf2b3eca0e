import type { ScopeDescription } from "./props";

/**
 * What each scope means to the person asked to consent (OpenID Connect Core §5.4 for the
 * standard claims scopes, §11 for offline_access). A scope without an entry is shown by name,
 * so that nothing a client asks for is hidden from the user.
 */
const DESCRIPTIONS: Readonly<Record<string, string>> = {
  openid: "Confirm your identity",
  profile: "Your name",
  email: "Your email address",
  address: "Your postal address",
  phone: "Your phone number",
  offline_access: "Keep access while you are not using the application",
};

export function describeScope(scope: string): string {
  return Object.hasOwn(DESCRIPTIONS, scope) ? DESCRIPTIONS[scope]! : scope;
}

/** The consent page's list, in the order requested, without repeats. */
export function describeScopes(scopes: Iterable<string>): ScopeDescription[] {
  return [...new Set(scopes)].map((scope) => ({ scope, description: describeScope(scope) }));
}
