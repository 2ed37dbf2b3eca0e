import { OAuthError } from "./errors";

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), separated by single spaces.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export function isScopeToken(token: string): boolean {
  return SCOPE_TOKEN.test(token);
}

/**
 * Parses a `scope` parameter into its distinct tokens, in order. A malformed scope string is an
 * `invalid_scope` (RFC 6749 §4.1.2.1, §5.2).
 */
export function parseScope(scope: string): string[] {
  const tokens = scope.split(" ").filter((t) => t !== "");
  for (const token of tokens) {
    if (!isScopeToken(token)) {
      throw new OAuthError("invalid_scope", "The scope parameter is malformed");
    }
  }
  return [...new Set(tokens)];
}

export function formatScope(scope: readonly string[]): string {
  return scope.join(" ");
}
