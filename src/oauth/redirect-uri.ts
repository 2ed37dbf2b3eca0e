/**
 * Redirect URI matching (RFC 6749 §3.1.2.3, OAuth 2.1 §2.3.1, RFC 9700 §4.1.3): the presented
 * URI must equal a registered one as a string, with one exception (RFC 8252 §7.3): for a
 * loopback IP literal over http, any port is accepted, because native apps bind an ephemeral
 * port at run time. Nothing is normalised: `/cb/` ≠ `/cb`, `HTTPS://` ≠ `https://`.
 */
export function matchRedirectUri(registered: readonly string[], presented: string): boolean {
  if (registered.includes(presented)) return true;
  const presentedLoopback = splitLoopback(presented);
  if (!presentedLoopback) return false;
  return registered.some((uri) => {
    const candidate = splitLoopback(uri);
    return (
      candidate !== null &&
      candidate.host === presentedLoopback.host &&
      candidate.rest === presentedLoopback.rest
    );
  });
}

// RFC 8252 §7.3 names the IP literals; "localhost" is not included (§8.3: NOT RECOMMENDED).
const LOOPBACK = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?([/?][^#]*)?$/;

/** Splits a loopback redirect URI into host and everything after the port; null otherwise. */
function splitLoopback(uri: string): { host: string; rest: string } | null {
  const m = LOOPBACK.exec(uri);
  if (!m) return null;
  const port = m[2];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return null;
  return { host: m[1] as string, rest: m[3] ?? "" };
}

/**
 * Adds authorization response parameters (RFC 6749 §4.1.2, §4.1.2.1; RFC 9207 `iss`) to a
 * redirect URI, form-encoded (RFC 6749 Appendix B), keeping the URI's own query byte for byte:
 * RFC 6749 §3.1.2 says that query "MUST be retained when adding additional query parameters",
 * and the client compares it as it registered it. (URL.searchParams would re-serialise the whole
 * query: `%2F` → `/`, `~` → `%7E`, `a` → `a=`.) Parameters whose value is undefined are left
 * out. Registered redirect URIs have no fragment (RFC 6749 §3.1.2); one would be kept last.
 */
export function appendResponseParams(
  uri: string,
  params: Readonly<Record<string, string | undefined>>,
): string {
  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) pairs.push([name, value]);
  }
  const added = new URLSearchParams(pairs).toString();
  const hash = uri.indexOf("#");
  const base = hash < 0 ? uri : uri.slice(0, hash);
  const fragment = hash < 0 ? "" : uri.slice(hash);
  if (added === "") return uri;
  const query = base.indexOf("?");
  // No query: start one. An empty query, or one ending in "&": nothing to separate.
  const separator = query < 0 ? "?" : base.endsWith("?") || base.endsWith("&") ? "" : "&";
  return `${base}${separator}${added}${fragment}`;
}
