import { de } from "./de";
import { en } from "./en";
import type { Messages } from "./messages";

/**
 * The languages of the pages, by their BCP 47 primary language subtag (RFC 5646 §2.2.1). Adding
 * one is a file like ./de.tsx and a line here; the Messages type makes it complete.
 */
export const LANGUAGES = { en, de } as const satisfies Readonly<Record<string, Messages>>;
export type Language = keyof typeof LANGUAGES;

/** Used when nothing the browser or the client asks for is available. */
export const DEFAULT_LANGUAGE: Language = "en";

export type { DescribedScope, LoginErrorKey, Messages, PageErrorCode } from "./messages";
export { DESCRIBED_SCOPES, PAGE_ERROR_CODES } from "./messages";
