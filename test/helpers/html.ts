/**
 * Reads rendered pages with workerd's own HTML parser (HTMLRewriter), so that assertions are
 * about elements and attributes as a browser sees them, not about string layout.
 */
export interface FoundElement {
  tag: string;
  attrs: Record<string, string>;
  /** The element's text content (entities decoded by the parser are left as HTML text). */
  text: string;
}

/** Every element matching `selector`, in document order. */
export async function select(page: string, selector: string): Promise<FoundElement[]> {
  const found: FoundElement[] = [];
  /** Matched elements whose end tag has not been seen yet: they receive the text read now. */
  const open = new Set<FoundElement>();
  await new HTMLRewriter()
    .on(selector, {
      element(el) {
        const item: FoundElement = { tag: el.tagName, attrs: Object.fromEntries(el.attributes), text: "" };
        found.push(item);
        open.add(item);
        try {
          el.onEndTag(() => void open.delete(item));
        } catch {
          open.delete(item); // a void element (input, meta): no end tag, no text
        }
      },
    })
    // Text handlers see the text nodes whose parent matches; "*" sees them all.
    .on("*", {
      text(chunk) {
        for (const item of open) item.text += chunk.text;
      },
    })
    .transform(new Response(page))
    .text();
  return found;
}

export async function selectOne(page: string, selector: string): Promise<FoundElement> {
  const all = await select(page, selector);
  if (all.length !== 1) throw new Error(`expected one ${selector}, found ${all.length}`);
  return all[0]!;
}

/** HTML text content → plain text: the few entities hono/jsx emits, and collapsed spaces. */
export function plain(text: string): string {
  return text
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&amp;", "&")
    .replace(/\s+/g, " ")
    .trim();
}
