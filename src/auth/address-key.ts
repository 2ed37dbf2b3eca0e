// The address key every throttle counts under: the login throttle, the client-secret throttle
// and the invalid-token throttle.

/**
 * The key a client address counts under: an IPv4 address whole, an IPv6 address by its /64
 * prefix. RFC 4291 §2.5.4: the low 64 bits are the interface identifier, which the host picks
 * itself (and rotates, RFC 8981), while an end site is given at least a /64 (RFC 6177), so an
 * attacker usually holds 2^64 addresses but one /64. An IPv4-mapped address (RFC 4291 §2.5.5.2)
 * counts as its IPv4 address. Anything unparseable counts as it is.
 */
export function addressKey(ip: string): string {
  const groups = ipv6Groups(ip);
  if (groups === undefined) return ip;
  const [, , , , , mapped, high = 0, low = 0] = groups;
  if (mapped === 0xffff && groups.slice(0, 5).every((g) => g === 0)) {
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join(".");
  }
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(":")}::/64`;
}

/** The eight 16-bit groups of a textual IPv6 address (RFC 4291 §2.2), or undefined. */
function ipv6Groups(ip: string): number[] | undefined {
  if (!ip.includes(":")) return undefined;
  let text = ip.split("%")[0]!.toLowerCase(); // RFC 6874 zone identifier
  // RFC 4291 §2.2 form 3: the low 32 bits may be written as an IPv4 dotted quad.
  const quad = /(?<=:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (quad) {
    const [a = 0, b = 0, c = 0, d = 0] = quad.slice(1).map(Number);
    if (Math.max(a, b, c, d) > 255) return undefined;
    const low32 = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
    text = text.slice(0, quad.index) + low32;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const [head = [], tail] = halves.map((h) => (h === "" ? [] : h.split(":")));
  const missing = 8 - head.length - (tail?.length ?? 0);
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(tail ? missing : 0).fill("0"), ...(tail ?? [])];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => Number.parseInt(g, 16));
}
