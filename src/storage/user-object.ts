import { DurableObject } from "cloudflare:workers";
import { withinAllowance } from "../protocol/client-allowance";
import type {
  CurrentRefreshToken,
  GrantRecord,
  GrantStatus,
  RedeemCodeInput,
  RedeemCodeResult,
  RevokeRefreshTokenResult,
  RotateRefreshTokenInput,
  RotateRefreshTokenResult,
} from "./grant-types";
import { type GrantRow, GrantTable } from "./grant-table";
import { type SessionRecord, SessionTable, sessionRecord } from "./session-table";

/** A minute of slack: a code or token may still look valid at its end by another clock. */
const SLACK = 60;
/** Cleanup runs at most hourly: it only frees space, no decision depends on it. */
const CLEANUP_INTERVAL = 3600;
/** How long a deleted user's object refuses codes: longer than any code lives (CODE_TTL ≤ 600). */
const CLOSED_FOR = 3600;
/** Synchronous KV keys beside the tables. */
const SUB = "sub";
const CLOSED_AT = "closedAt";

/**
 * One user's Durable Object (binding USER_OBJECTS, named by the user's `sub`, which the sealed
 * code, the access tokens and the refresh tokens all carry): the single authority for that
 * user's grants and browser sessions. It decides a code's single use, refresh-token rotation
 * with reuse detection, revocation, and whether a session still exists. KV is eventually
 * consistent, so none of these rests on it.
 *
 * One object per user rather than per grant (DESIGN.md "Shape"): a returning user's sign-in
 * does not create a new SQLite-backed object, and the user's grants can be listed and revoked
 * together (admin API, user deletion). Each decision is made in one synchronous SQLite
 * transaction with no await inside, so it is atomic with respect to every other request to the
 * object, in any location.
 */
export class UserObject extends DurableObject<Env> {
  #grants: GrantTable;
  #sessions: SessionTable;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#grants = new GrantTable(ctx.storage.sql);
    this.#sessions = new SessionTable(ctx.storage.sql);
  }

  /**
   * Records the code's one use and starts the grant (with its first refresh token), in one call.
   * A grant is started by exactly one code, so any second redemption is a replay: the grant is
   * revoked with every token issued from it (RFC 6749 §4.1.2, RFC 9700 §4.2.4 / OAuth 2.1 §4.1.3).
   */
  async redeemCode(input: RedeemCodeInput): Promise<RedeemCodeResult> {
    const result = this.ctx.storage.transactionSync((): RedeemCodeResult => {
      if (this.ctx.storage.kv.get<number>(CLOSED_AT) !== undefined) {
        return { ok: false, reason: "user_deleted" };
      }
      const existing = this.#grants.find(input.grantId);
      if (existing !== undefined) {
        this.#grants.revoke(input.now, { grantId: input.grantId });
        return { ok: false, reason: "code_reused", clientId: existing.client_id };
      }
      if (this.ctx.storage.kv.get<string>(SUB) === undefined) {
        this.ctx.storage.kv.put(SUB, input.sub);
      }
      const refresh = input.refreshTokenHash !== undefined && input.refreshExpiresAt !== undefined;
      this.#grants.insert({
        grant_id: input.grantId,
        client_id: input.clientId,
        scope: JSON.stringify(input.scope),
        resource: JSON.stringify(input.resource),
        auth_time: input.authTime,
        amr: input.amr === undefined ? null : JSON.stringify(input.amr),
        acr: input.acr ?? null,
        created_at: input.now,
        expires_at: input.expiresAt,
        retain_until: Math.max(input.retainUntil, refresh ? (input.refreshExpiresAt ?? 0) : 0),
        refresh_hash: refresh ? (input.refreshTokenHash ?? null) : null,
        refresh_expires_at: refresh ? (input.refreshExpiresAt ?? null) : null,
      });
      return { ok: true };
    });
    await this.#scheduleCleanup();
    return result;
  }

  /**
   * Exchanges the current refresh token for a new one (RFC 6749 §6; rotation: RFC 9700 §4.14.2).
   * The immediately previous token presented again within the grace (a confidential client
   * retrying after a lost response) gets the successor already issued, and changes nothing; any
   * other retired token means two parties hold it: the whole grant is revoked.
   */
  async rotateRefreshToken(input: RotateRefreshTokenInput): Promise<RotateRefreshTokenResult> {
    const result = this.ctx.storage.transactionSync((): RotateRefreshTokenResult => {
      const row = this.#grants.find(input.grantId);
      if (row === undefined) return { ok: false, reason: "unknown" };
      if (row.revoked_at !== null) return { ok: false, reason: "revoked" };
      // Checked before reuse: a client that is not the grant's must not be able to revoke it.
      if (row.client_id !== input.clientId) return { ok: false, reason: "client_mismatch" };
      if (row.expires_at <= input.now) return { ok: false, reason: "expired" };
      const grant = this.#record(row);
      // Made under a registration since narrowed: the grant ends with what justified it.
      if (!withinAllowance(input.clientAllows, grant.scope, grant.resource)) {
        this.#grants.revoke(input.now, { grantId: row.grant_id });
        return { ok: false, reason: "client_narrowed" };
      }

      if (input.presentedHash === row.refresh_hash && row.refresh_expires_at !== null) {
        if (row.refresh_expires_at <= input.now) return { ok: false, reason: "expired" };
        const narrowing = checkNarrowing(input, grant);
        if (narrowing !== undefined) return narrowing;
        // Sliding lifetime, but never past the grant's absolute end.
        const expiresAt = Math.min(input.newExpiresAt, row.expires_at);
        this.#grants.rotate(
          row,
          {
            hash: input.newHash,
            expiresAt,
            successor: input.graceSeconds > 0 ? (input.sealedNew ?? null) : null,
            retainUntil: Math.max(input.retainUntil, expiresAt),
          },
          input.now,
        );
        return { ok: true, grant: { ...grant, refreshExpiresAt: expiresAt } };
      }
      if (
        input.presentedHash === row.previous_hash &&
        row.successor !== null &&
        row.rotated_at !== null &&
        row.refresh_expires_at !== null &&
        input.graceSeconds > 0 &&
        input.now - row.rotated_at <= input.graceSeconds
      ) {
        const narrowing = checkNarrowing(input, grant);
        if (narrowing !== undefined) return narrowing;
        return {
          ok: true,
          grant: { ...grant, refreshExpiresAt: row.refresh_expires_at },
          sealedSuccessor: row.successor,
        };
      }
      if (
        input.presentedHash === row.previous_hash ||
        this.#grants.isRetired(row.grant_id, input.presentedHash)
      ) {
        this.#grants.revoke(input.now, { grantId: row.grant_id });
        return { ok: false, reason: "reused", grant };
      }
      return { ok: false, reason: "unknown" };
    });
    if (result.ok) await this.#scheduleCleanup();
    return result;
  }

  /** Revokes one grant; true when it was live (RFC 7009 §2.1: the whole grant goes). */
  revokeGrant(grantId: string, now: number): boolean {
    return this.#grants.revoke(now, { grantId }).length > 0;
  }

  /**
   * RFC 7009 §2.1: revokes the grant when `hash` is one of its refresh tokens (the current one,
   * or a retired one: the holder of a rotated token asking for revocation means the grant should
   * end) and `clientId` its client, checked and done atomically. Another client's token is never
   * revoked (§2.1: the server verifies that the token was issued to the requesting client).
   */
  revokeRefreshToken(
    grantId: string,
    hash: string,
    clientId: string,
    now: number,
  ): RevokeRefreshTokenResult {
    return this.ctx.storage.transactionSync(() => {
      const row = this.#grants.find(grantId);
      if (row === undefined || row.revoked_at !== null) return "unknown";
      const known =
        hash === row.refresh_hash ||
        hash === row.previous_hash ||
        this.#grants.isRetired(grantId, hash);
      if (!known) return "unknown";
      if (row.client_id !== clientId) return "client_mismatch";
      this.#grants.revoke(now, { grantId });
      return "revoked";
    });
  }

  /**
   * Whether `hash` is the grant's current, unexpired refresh token of a live grant. Read-only:
   * unlike rotation, presenting a retired token here revokes nothing (introspection is a
   * question, not a use of the token).
   */
  currentRefreshToken(grantId: string, hash: string, now: number): CurrentRefreshToken {
    const row = this.#grants.find(grantId);
    if (row === undefined || row.revoked_at !== null || row.expires_at <= now) {
      return { current: false };
    }
    if (row.refresh_hash !== hash || row.refresh_expires_at === null) return { current: false };
    if (row.refresh_expires_at <= now) return { current: false };
    return { current: true, grant: this.#record(row), expiresAt: row.refresh_expires_at };
  }

  status(grantId: string, now: number): GrantStatus {
    const row = this.#grants.find(grantId);
    if (row === undefined) return { state: "unknown" };
    const grant = this.#record(row);
    if (row.revoked_at !== null) return { state: "revoked", grant };
    if (row.expires_at <= now) return { state: "expired", grant };
    return { state: "active", grant };
  }

  /** The user's live grants, oldest first (admin API). */
  listGrants(now: number): GrantRecord[] {
    return this.#grants.listLive(now).map((row) => this.#record(row));
  }

  /** Revokes every live grant of the user, or of one client; returns those it revoked. */
  revokeGrants(now: number, clientId?: string): GrantRecord[] {
    return this.ctx.storage.transactionSync(() =>
      this.#grants
        .revoke(now, clientId === undefined ? {} : { clientId })
        .map((row) => this.#record(row)),
    );
  }

  /**
   * Records a browser session at sign-in. Refused once the user was deleted (a location that
   * still saw the user in KV): a session that no check would ever find again is not started.
   */
  async startSession(session: Omit<SessionRecord, "lastSeenAt">, now: number): Promise<boolean> {
    const started = this.ctx.storage.transactionSync(() => {
      if (this.ctx.storage.kv.get<number>(CLOSED_AT) !== undefined) return false;
      this.#sessions.insert({
        sid: session.sid,
        created_at: session.createdAt,
        auth_time: session.authTime,
        amr: session.amr === undefined ? null : JSON.stringify(session.amr),
        acr: session.acr ?? null,
        last_seen_at: now,
        expires_at: session.expiresAt,
        user_agent: session.userAgent ?? null,
      });
      return true;
    });
    if (started) await this.#scheduleCleanup();
    return started;
  }

  /** Whether the session is live; marks it seen (the cookie's periodic re-validation). */
  checkSession(sid: string, now: number): boolean {
    return this.#sessions.touch(sid, now) !== undefined;
  }

  /** The user's live sessions, oldest first (admin API). */
  listSessions(now: number): SessionRecord[] {
    return this.#sessions.listLive(now).map(sessionRecord);
  }

  /** Ends one session, or every one; returns the live sessions it ended. */
  endSessions(now: number, sid?: string): SessionRecord[] {
    return this.#sessions.delete(now, sid).map(sessionRecord);
  }

  /**
   * The user was deleted: every grant is revoked and every session ended, and codes issued
   * before the deletion (or by a location that still saw the user in KV) can no longer start one.
   */
  async closeUser(now: number): Promise<GrantRecord[]> {
    const revoked = this.ctx.storage.transactionSync(() => {
      this.ctx.storage.kv.put(CLOSED_AT, now);
      this.#sessions.delete(now);
      return this.#grants.revoke(now).map((row) => this.#record(row));
    });
    await this.#scheduleCleanup();
    return revoked;
  }

  /**
   * Deletes grants past their retention, expired retired tokens and expired sessions; the
   * object, once empty.
   */
  override async alarm(): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    const closedAt = this.ctx.storage.kv.get<number>(CLOSED_AT);
    const closedUntil = closedAt === undefined ? undefined : closedAt + CLOSED_FOR;
    const nextGrant = this.#grants.deleteExpired(now - SLACK);
    const nextSession = this.#sessions.deleteExpired(now);
    const next = Math.min(nextGrant ?? Infinity, nextSession ?? Infinity);
    if (!Number.isFinite(next) && (closedUntil === undefined || closedUntil <= now)) {
      // Compatibility date ≥ 2026-02-24: deleteAll() removes the alarm too.
      await this.ctx.storage.deleteAll();
      this.#grants = new GrantTable(this.ctx.storage.sql);
      this.#sessions = new SessionTable(this.ctx.storage.sql);
      return;
    }
    await this.#setAlarm(Math.min(next, closedUntil ?? Infinity));
  }

  /** Makes sure an alarm will clean up what was just written (an existing one reschedules). */
  async #scheduleCleanup(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) !== null) return;
    const closedAt = this.ctx.storage.kv.get<number>(CLOSED_AT);
    const due = Math.min(
      this.#grants.nextDue() ?? Infinity,
      this.#sessions.nextDue() ?? Infinity,
      (closedAt ?? Infinity) + CLOSED_FOR,
    );
    if (Number.isFinite(due)) await this.#setAlarm(due);
  }

  async #setAlarm(due: number): Promise<void> {
    const at = Math.max(due + SLACK, Math.floor(Date.now() / 1000) + CLEANUP_INTERVAL);
    await this.ctx.storage.setAlarm(at * 1000);
  }

  #record(row: GrantRow): GrantRecord {
    return {
      grantId: row.grant_id,
      clientId: row.client_id,
      sub: this.ctx.storage.kv.get<string>(SUB) ?? "",
      scope: JSON.parse(row.scope) as string[],
      resource: JSON.parse(row.resource) as string[],
      authTime: row.auth_time,
      ...(row.amr === null ? {} : { amr: JSON.parse(row.amr) as string[] }),
      ...(row.acr === null ? {} : { acr: row.acr }),
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      ...(row.refresh_expires_at === null ? {} : { refreshExpiresAt: row.refresh_expires_at }),
    };
  }
}

/** RFC 6749 §6: the scope may be narrowed, never widened; RFC 8707 §2.2: likewise resources. */
function checkNarrowing(
  input: RotateRefreshTokenInput,
  grant: GrantRecord,
): RotateRefreshTokenResult | undefined {
  if (!isSubset(input.scope, grant.scope)) return { ok: false, reason: "invalid_scope" };
  if (!isSubset(input.resource, grant.resource)) return { ok: false, reason: "invalid_target" };
  return undefined;
}

function isSubset(requested: readonly string[] | undefined, granted: readonly string[]): boolean {
  return requested === undefined || requested.every((item) => granted.includes(item));
}
