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
