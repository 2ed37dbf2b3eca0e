import { encodeBase64 } from "hono/utils/encode";
import { utf8 } from "../crypto/encoding";
import { contrastRatio, textColorOn } from "./contrast";

/** The card the page's content sits on, per colour scheme (the focus ring must stand out on it). */
const CARD = { light: "#ffffff", dark: "#202328" } as const;

/**
 * The one stylesheet of every page, inlined so that a page loads nothing else. It is allowed by
 * its hash in the Content-Security-Policy (CSP3 §8.3 hash-source), so it must be emitted byte for
 * byte as written here: keep it free of characters HTML would escape (<, >, &, quotes).
 *
 * Phones: from 320 px up nothing scrolls sideways (WCAG 2.2 SC 1.4.10 Reflow; long names and
 * URLs wrap anywhere), and every button and input is at least 44 px high (SC 2.5.5). The focus
 * ring is 3 px, offset, in a colour that contrasts 3:1 with the card (SC 2.4.7, 1.4.11).
 */
export const STYLESHEET = `
:root { color-scheme: light dark; --fg: #1c1e21; --muted: #5f6368; --bg: #f4f5f7; --card: ${CARD.light};
  --line: #d0d4da; --accent: #1a56db; --accent-fg: #fff; --focus: var(--accent); --error-bg: #fdecea; --error-fg: #8a1c12; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e8eaed; --muted: #a0a6ad; --bg: #16181c; --card: ${CARD.dark}; --line: #3c4048;
    --accent: #6e9cff; --accent-fg: #0b1220; --error-bg: #3b1d1a; --error-fg: #ffb4a9; }
}
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: flex; align-items: center; justify-content: center;
  background: var(--bg); color: var(--fg); line-height: 1.5;
  font: 16px/1.5 system-ui, -apple-system, Segoe UI, Roboto, sans-serif; }
main { width: 100%; max-width: 26rem; margin: 1rem; padding: 2rem; background: var(--card);
  border: 1px solid var(--line); border-radius: 12px; overflow-wrap: anywhere; }
@media (max-width: 30rem) {
  body { align-items: stretch; }
  main { margin: 0; padding: 1.25rem 1rem; border: 0; border-radius: 0; }
}
.brand { display: flex; align-items: center; gap: .5rem; margin: 0 0 1rem; font-weight: 700;
  letter-spacing: .02em; color: var(--muted); }
.brand img { display: block; max-height: 2rem; max-width: 8rem; width: auto; height: auto; }
h1 { margin: 0 0 1.25rem; font-size: 1.35rem; line-height: 1.3; }
p { margin: 0 0 1rem; }
label { display: block; margin: 0 0 .25rem; font-weight: 600; }
input[type=text], input[type=password] { display: block; width: 100%; min-height: 2.75rem; margin: 0 0 1rem;
  padding: .6rem .75rem; font: inherit; color: inherit; background: transparent;
  border: 1px solid var(--muted); border-radius: 8px; }
input[aria-invalid=true] { border-color: var(--error-fg); }
a:focus-visible, input:focus-visible, button:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
button { display: block; width: 100%; min-height: 2.75rem; padding: .65rem 1rem; font: inherit; font-weight: 600;
  border: 1px solid var(--accent); border-radius: 8px; cursor: pointer;
  background: var(--accent); color: var(--accent-fg); }
button.secondary { background: transparent; color: var(--fg); border-color: var(--muted); }
.actions { display: grid; gap: .75rem; grid-template-columns: 1fr 1fr; }
.alert { padding: .75rem 1rem; border-radius: 8px; background: var(--error-bg); color: var(--error-fg); }
.muted { color: var(--muted); font-size: .925rem; }
ul.scopes { margin: 0 0 1.25rem; padding: 0; list-style: none; border-top: 1px solid var(--line); }
ul.scopes li { padding: .6rem 0; border-bottom: 1px solid var(--line); }
code { font: .9em ui-monospace, SFMono-Regular, Menlo, monospace; }
`;

/**
 * The accent override for a configured BRAND_COLOR (#rrggbb, checked by src/config.ts), in both
 * colour schemes: the button text is black or white, whichever contrasts more (at least 4.5:1,
 * SC 1.4.3); the focus ring is the accent where it contrasts 3:1 with the card, else the text
 * colour (SC 1.4.11).
 */
export function accentStylesheet(color: string): string {
  const focus = (card: string) => (contrastRatio(color, card) >= 3 ? color : "var(--fg)");
  const vars = (card: string) =>
    `--accent: ${color}; --accent-fg: ${textColorOn(color)}; --focus: ${focus(card)};`;
  return (
    `:root { ${vars(CARD.light)} }\n` +
    `@media (prefers-color-scheme: dark) { :root { ${vars(CARD.dark)} } }\n`
  );
}

/** The stylesheet of the pages with this accent colour (or the default one). */
export function stylesheetFor(color: string | undefined): string {
  return color === undefined ? STYLESHEET : STYLESHEET + accentStylesheet(color);
}

/** Hashes per stylesheet text: one or two per isolate (the configuration rarely changes). */
const hashes = new Map<string, Promise<string>>();

/** The CSP hash-source of a stylesheet ('sha256-…'), computed once per isolate and text. */
export function stylesheetHashSource(stylesheet: string = STYLESHEET): Promise<string> {
  let hash = hashes.get(stylesheet);
  if (hash === undefined) {
    hash = crypto.subtle
      .digest("SHA-256", utf8(stylesheet))
      .then((digest) => `'sha256-${encodeBase64(digest)}'`);
    hashes.set(stylesheet, hash);
  }
  return hash;
}
