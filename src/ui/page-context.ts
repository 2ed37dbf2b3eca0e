import { createContext, useContext } from "hono/jsx";
import { type Brand, DEFAULT_BRAND_NAME } from "../config";
import { DEFAULT_LANGUAGE, LANGUAGES, type Language, type Messages } from "./messages";
import { STYLESHEET } from "./styles";

/**
 * What every page component reads while renderPage renders it: the negotiated language and its
 * messages, the brand, and the exact stylesheet whose hash the page's CSP carries. A context,
 * not props, so that Layout and the pages keep their call signatures and any page built on
 * Layout (src/demo/) follows the language and the brand without passing them along.
 */
export interface PageSettings {
  readonly language: Language;
  readonly messages: Messages;
  readonly brand: Brand;
  readonly stylesheet: string;
}

export const DEFAULT_BRAND: Brand = { name: DEFAULT_BRAND_NAME, logoUrl: undefined, color: undefined };

/** Outside renderPage (a component rendered on its own): English, the default brand. */
export const PageContext = createContext<PageSettings>({
  language: DEFAULT_LANGUAGE,
  messages: LANGUAGES[DEFAULT_LANGUAGE],
  brand: DEFAULT_BRAND,
  stylesheet: STYLESHEET,
});

/**
 * The settings of the page being rendered. Only valid while hono/jsx renders a component (a
 * function called through JSX), not in a function called directly to build the tree.
 */
export function usePage(): PageSettings {
  return useContext(PageContext);
}
