/**
 * The local demo's rules, appended to the pages' stylesheet (src/ui/styles.ts) on the demo's
 * pages only: wider pages that show requests, responses and tokens. Kept here so that the
 * deployed Worker, which never serves the demo, does not carry them. The same rule as for the
 * main stylesheet holds: it is allowed by its hash, so no character HTML would escape.
 */
export const DEMO_STYLESHEET = `
main:has(.demo) { max-width: 60rem; }
.demo h2 { margin: 1.75rem 0 .75rem; font-size: 1.1rem; }
.demo pre { margin: 0 0 1rem; padding: .75rem; overflow-x: auto; white-space: pre-wrap;
  word-break: break-all; border: 1px solid var(--line); border-radius: 8px;
  font: .82rem/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; }
.demo table { width: 100%; margin: 0 0 1rem; border-collapse: collapse; font-size: .925rem; }
.demo th, .demo td { padding: .35rem .5rem; text-align: left; vertical-align: top;
  border-bottom: 1px solid var(--line); word-break: break-word; }
.demo th { white-space: nowrap; }
.demo form { margin: 1rem 0; }
.demo button, .demo a.button { display: inline-block; width: auto; }
.demo a.button { padding: .65rem 1rem; border-radius: 8px; font-weight: 600; text-decoration: none;
  background: var(--accent); color: var(--accent-fg); }
.demo .ok { color: var(--accent); font-weight: 600; }
`;
