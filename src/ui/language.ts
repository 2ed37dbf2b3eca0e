import { parseAccept } from "hono/utils/accept";
import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from "./messages";

/** What a request says about the reader's languages, most authoritative first. */
export interface LanguagePreferences {
  /**
   * OIDC Core §3.1.2.1 `ui_locales`: "End-User's preferred languages and scripts for the user
   * interface, represented as a space-separated list of BCP47 language tag values, ordered by
   * preference". The client's choice for this sign-in; it outranks the browser's.
   */
  uiLocales?: string | undefined;
  /** The Accept-Language header (RFC 9110 §12.5.4). */
  acceptLanguage?: string | undefined;
}

/**
 * The page language for a request: the first of ui_locales that Gatehouse has, else the
 * browser's most preferred one it has, else English. Each range is matched by RFC 4647 §3.4
 * Lookup, so `de-CH` finds `de`; Accept-Language ranges go by their q-values (RFC 9110 §12.4.2),
 * and q=0 means "not acceptable". The `*` range names no language to look up (RFC 4647 §3.4).
 */
export function negotiateLanguage({ uiLocales, acceptLanguage }: LanguagePreferences): Language {
  const fromClient = (uiLocales ?? "").split(/\s+/).filter(Boolean);
  const fromBrowser = parseAccept(acceptLanguage ?? "")
    .filter((range) => range.q > 0)
    .map((range) => range.type);
  for (const range of [...fromClient, ...fromBrowser]) {
    const found = lookup(range);
    if (found !== undefined) return found;
  }
  return DEFAULT_LANGUAGE;
}

/**
 * RFC 4647 §3.4: try the range, then remove subtags from its end one by one, also removing a
 * single-letter subtag (an extension or private-use marker) left at the end; compare
 * case-insensitively (§2.1).
 */
function lookup(range: string): Language | undefined {
  const subtags = range.toLowerCase().split("-");
  while (subtags.length > 0) {
    const tag = subtags.join("-");
    if (Object.hasOwn(LANGUAGES, tag)) return tag as Language;
    subtags.pop();
    if (subtags.at(-1)?.length === 1) subtags.pop();
  }
  return undefined;
}
