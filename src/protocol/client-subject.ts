/**
 * The `sub` of a token about a client itself (RFC 6749 §4.4 client credentials; the `act` of an
 * RFC 8693 token exchange). RFC 9068 §2.2: with no resource owner, `sub` identifies the client.
 * RFC 9700 §4.15: a client must never be able to get a `sub` that names a user. Users' subs and
 * client ids are both 22-character base64url values (src/crypto/random.ts), so a client's sub is
 * `client:<client_id>`: the colon is outside base64url, so no user sub can have this shape, and
 * storage refuses it as the name of a user (src/storage/users.ts, src/storage/grants.ts).
 */
const PREFIX = "client:";

export function clientSubject(clientId: string): string {
  return `${PREFIX}${clientId}`;
}

/** The client a client subject names, or undefined when `sub` is not a client's. */
export function subjectClientId(sub: string): string | undefined {
  return sub.startsWith(PREFIX) && sub.length > PREFIX.length ? sub.slice(PREFIX.length) : undefined;
}
