import { DESCRIBED_SCOPES, type Messages } from "./messages";
import { en } from "./messages/en";
import type { ScopeDescription } from "./props";

const DESCRIBED: ReadonlySet<string> = new Set(DESCRIBED_SCOPES);

/**
 * What a scope means to the person asked to consent, in the page's language (the descriptions
 * live with the other messages: ./messages/). A scope without one is shown by its name, so that
 * nothing a client asks for is hidden from the user.
 */
export function describeScope(scope: string, messages: Messages = en): string {
  return DESCRIBED.has(scope)
    ? messages.consent.scopes[scope as keyof Messages["consent"]["scopes"]]
    : scope;
}

/** The consent page's list, in the order requested, without repeats. */
export function describeScopes(scopes: Iterable<string>, messages: Messages = en): ScopeDescription[] {
  return [...new Set(scopes)].map((scope) => ({ scope, description: describeScope(scope, messages) }));
}
