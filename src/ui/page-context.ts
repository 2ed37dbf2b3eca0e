import { AsyncLocalStorage } from "node:async_hooks";
import { type Brand, DEFAULT_BRAND_NAME } from "../config";
import { DEFAULT_LANGUAGE, LANGUAGES, type Language, type Messages } from "./messages";
import { STYLESHEET } from "./styles";

/**
 * What every page component reads while renderPage renders it: the negotiated language and its
 * messages, the brand, and the exact stylesheet whose hash the page's CSP carries. Request-scoped
 * state rather than props, so that Layout and the pages keep their call signatures and any page
 * built on Layout (src/demo/) follows the language and the brand without passing them along.
 *
 * Kept in the runtime's AsyncLocalStorage (Workers, nodejs_compat), which follows the render
 * across awaits and never leaks between concurrent requests of an isolate. (hono/jsx's
 * createContext does the same, but importing it brings hono/jsx's whole client-side API into the
 * bundle: about 16 KB.)
 */
export interface PageSettings {
  readonly language: Language;
  readonly messages: Messages;
  readonly brand: Brand;
  readonly stylesheet: string;
}

export const DEFAULT_BRAND: Brand = { name: DEFAULT_BRAND_NAME, logoUrl: undefined, color: undefined };

/** Outside renderPage (a component rendered on its own): English, the default brand. */
const DEFAULT_SETTINGS: PageSettings = {
  language: DEFAULT_LANGUAGE,
  messages: LANGUAGES[DEFAULT_LANGUAGE],
  brand: DEFAULT_BRAND,
  stylesheet: STYLESHEET,
};

const current = new AsyncLocalStorage<PageSettings>();

/** Runs `render` (and whatever it awaits) with `settings` as the page's settings. */
export function withPageSettings<T>(settings: PageSettings, render: () => T): T {
  return current.run(settings, render);
}

/**
 * The settings of the page being rendered. Only valid while renderPage renders a component (a
 * function called through JSX), not in a function called directly to build the tree before.
 */
export function usePage(): PageSettings {
  return current.getStore() ?? DEFAULT_SETTINGS;
}
