import type { Child } from "hono/jsx";
import { usePage } from "./page-context";

export interface LayoutProps {
  /** What the page is for ("Sign in"); the document title adds " – " and the brand's name. */
  title: string;
  children?: Child;
}

/**
 * The frame of every page: language, viewport, the inline stylesheet, the brand, no script.
 * The language, brand and stylesheet come from the page being rendered (./page-context.ts).
 * Called directly as a function (Layout({ title, children })), it still returns an element that
 * reads them while renderPage renders it, so the stylesheet always matches the page's CSP hash.
 */
export function Layout(props: LayoutProps) {
  return <Frame {...props} />;
}

function Frame({ title, children }: LayoutProps) {
  const { messages, brand, stylesheet } = usePage();
  return (
    <html lang={messages.tag}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{messages.documentTitle(title, brand.name)}</title>
        {/* Our own constant (and a checked #rrggbb), never user text; emitted unescaped so that its CSP hash matches. */}
        <style dangerouslySetInnerHTML={{ __html: stylesheet }} />
      </head>
      <body>
        <main>
          <p class="brand">
            {/* Decorative: the name next to it says the same (WCAG 2.2 H67). */}
            {brand.logoUrl ? <img src={brand.logoUrl} alt="" /> : null}
            {brand.name}
          </p>
          {children}
        </main>
      </body>
    </html>
  );
}
