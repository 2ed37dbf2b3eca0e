import type { Child } from "hono/jsx";
import { STYLESHEET } from "./styles";

export interface LayoutProps {
  /** What the page is for ("Sign in"); the document title adds " – Gatehouse". */
  title: string;
  children?: Child;
}

/** The frame of every page: language, viewport, the inline stylesheet, no script. */
export function Layout({ title, children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${title} – Gatehouse`}</title>
        {/* Our own constant, never user text; emitted unescaped so that its CSP hash matches. */}
        <style dangerouslySetInnerHTML={{ __html: STYLESHEET }} />
      </head>
      <body>
        <main>
          <p class="brand">Gatehouse</p>
          {children}
        </main>
      </body>
    </html>
  );
}
