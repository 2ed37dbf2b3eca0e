/**
 * Structured security events: one JSON line each on the Worker's log (`wrangler tail`, Logpush,
 * Workers Logs), for an operator's alerting and audit. Each event's fields are typed below, and
 * only identifiers, reasons and counts fit in them: never a password, secret, code or token (at
 * most a grant id or a client id, which are identifiers, not credentials).
 */
export interface SecurityEventFields {
  /** A password sign-in succeeded. */
  "login.succeeded": { sub: string; method: "password"; ip?: string };
  /** A password sign-in failed (unknown user or wrong password: the log does not say which). */
  "login.failed": { username: string; method: "password"; ip?: string };
  /** A sign-in attempt was refused by the throttle. */
  "login.throttled": { username: string; ip?: string; retry_after: number };
  /** A session ended at /logout: asked by a client (`client_id`) or the user; confirmed on the page or not. */
  logout: { sub: string; client_id?: string; confirmed: boolean };
  /** A client failed to authenticate at the token, revocation or introspection endpoint. */
  "client_auth.failed": { client_id: string; endpoint: string; ip?: string };
  /** A client was refused by the throttle after too many failed authentications. */
  "client_auth.throttled": { client_id: string; endpoint: string; retry_after: number };
  /** Requests from an address were refused after too many invalid codes or tokens. */
  "token.throttled": { ip: string; endpoint: string; retry_after: number };
  /** An authorization code was presented a second time: its grant was revoked. */
  "code.reused": { client_id: string; grant_id: string; sub: string };
  /** A rotated refresh token was presented again: its grant was revoked. */
  "refresh_token.reused": { client_id: string; grant_id: string; sub: string };
  /** A grant ended: revoked by its client, by an admin, with its user or client, or narrowed away. */
  "grant.revoked": {
    grant_id?: string;
    sub?: string;
    client_id?: string;
    reason:
      | "revocation"
      | "admin"
      | "user_deleted"
      | "client_deleted"
      | "client_updated"
      | "password_changed"
      | "logout";
    count?: number;
  };
  /** Browser sessions ended on the server: by an admin, with a password change or the user. */
  "session.ended": {
    sub: string;
    sid?: string;
    reason: "admin" | "password_changed" | "user_deleted";
    count?: number;
  };
  /** A self-registered client replaced its metadata (RFC 7592 §2.2). */
  "registration.updated": { client_id: string };
  /** A self-registered client deleted its registration (RFC 7592 §2.3). */
  "registration.deleted": { client_id: string };
  /** An admin API call that changed something. */
  "admin.action": {
    action: string;
    target?: string;
  };
}

export type SecurityEventType = keyof SecurityEventFields;

/** Logs one security event as a single JSON line. */
export function securityEvent<T extends SecurityEventType>(
  type: T,
  fields: SecurityEventFields[T],
): void {
  console.log(
    JSON.stringify({ event: "security", type, time: new Date().toISOString(), ...fields }),
  );
}
