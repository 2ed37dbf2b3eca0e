/** The auth-params of a response's `WWW-Authenticate: Bearer …` challenge (RFC 6750 §3), by name. */
export function challengeParams(res: Response): Record<string, string> {
  const header = res.headers.get("WWW-Authenticate") ?? "";
  return Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}
