/**
 * Client addresses for throttling tests: each call a fresh /64 in the IPv6 documentation range
 * (RFC 3849), so that one test's failures never count against another's.
 */
export function uniqueIp(): string {
  const [a = 0, b = 0] = crypto.getRandomValues(new Uint16Array(2));
  return `2001:db8:${a.toString(16)}:${b.toString(16)}::${crypto.randomUUID().slice(0, 4)}`;
}
