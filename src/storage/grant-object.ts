import { DurableObject } from "cloudflare:workers";
import { unindexRefreshTokens } from "./refresh-tokens";

/**
 * One grant: what a user allowed one client, started by exactly one authorization code.
 * Its Durable Object (binding GRANTS, named by the grant id that the code and the refresh tokens
 * carry) is the single authority for the code's single use, refresh-token rotation, reuse
 * detection and revocation. KV is eventually consistent, so none of these rests on it.
 *
 * Every method reads and writes state through the synchronous SQLite-backed KV API
 * (`ctx.storage.kv`) with no await in between, so each decision is atomic with respect to
 * every other request to the same grant, in any location.
 */
export interface GrantRecord {
  clientId: string;
  sub: string;
  scope: string[];
  /** RFC 8707 resources the grant was issued for. */
  resource: string[];
  /** Seconds since the epoch when the user authenticated (OIDC `auth_time`). */
  authTime: number;
  nonce?: string;
}

export interface RedeemCodeInput {
  codeId: string;
  grant: GrantRecord;
  /** SHA-256 of the first refresh token, when the client receives refresh tokens. */
  refreshTokenHash?: string;
  /** Seconds since the epoch. */
  refreshExpiresAt?: number;
  /**
   * Seconds since the epoch until which the grant must be remembered even without a refresh
   * token: the later of the code's and the access token's expiry (reuse detection and
   * introspection need it until then).
   */
  retainUntil?: number;
  /** Seconds since the epoch. */
  now: number;
}

export type RedeemCodeResult = { ok: true } | { ok: false; reason: "code_reused" | "revoked" };

export interface RotateRefreshTokenInput {
  presentedHash: string;
  clientId: string;
  newHash: string;
  /** Seconds since the epoch: sliding lifetime, now + REFRESH_TOKEN_TTL. */
  newExpiresAt: number;
  /**
   * Scopes and resources the client asks the new tokens to be narrowed to (RFC 6749 §6,
   * RFC 8707 §2.2). Checked here, before anything changes, so a refused request leaves the
   * presented refresh token usable.
   */
  scope?: readonly string[];
  resource?: readonly string[];
  /** Seconds since the epoch; see RedeemCodeInput.retainUntil (the new access token's expiry). */
  retainUntil?: number;
  now: number;
}

export type RotateRefreshTokenResult =
  | { ok: true; grant: GrantRecord }
  | {
      ok: false;
      reason:
        | "revoked"
        | "reused"
        | "unknown"
        | "expired"
        | "client_mismatch"
        | "invalid_scope"
        | "invalid_target";
    };

export type GrantStatus =
  | { state: "unknown" }
  | {
      state: "active" | "revoked";
      grant: GrantRecord;
      /** Seconds since the epoch; absent when the grant has no live refresh token. */
      refreshExpiresAt?: number;
    };

/** The grant's current refresh token, as introspection reports it (RFC 7662 §2.2). */
export type CurrentRefreshToken =
  | { current: true; grant: GrantRecord; expiresAt: number }
  | { current: false };

/** What revoking a presented refresh token did (RFC 7009 §2.1). */
export type RevokeRefreshTokenResult = "revoked" | "unknown" | "client_mismatch";

interface RefreshTokenState {
  hash: string;
  expiresAt: number;
}

/** Storage keys of one grant. */
const GRANT = "grant";
const CODE = "code";
const REVOKED = "revoked";
const REFRESH = "refresh";
const RETAIN_UNTIL = "retainUntil";
/** One key per rotated (retired) refresh-token hash: the history that detects reuse. */
const rotated = (hash: string) => `rotated:${hash}`;

export class GrantObject extends DurableObject<Env> {
  private get kv(): SyncKvStorage {
    return this.ctx.storage.kv;
  }

  /**
   * Records the code's one use and starts the grant (with its first refresh token), in one call.
   * A grant is started by exactly one code, so any second redemption is a replay: the grant is
   * revoked with every token issued from it (RFC 6749 §4.1.2, RFC 9700 §4.2.4 / OAuth 2.1 §4.1.3).
   */
  async redeemCode(input: RedeemCodeInput): Promise<RedeemCodeResult> {
    if (this.kv.get<string>(CODE) !== undefined) {
      await this.revokeGrant(input.now);
      return { ok: false, reason: "code_reused" };
    }
    if (this.kv.get<number>(REVOKED) !== undefined) return { ok: false, reason: "revoked" };

    this.kv.put(CODE, input.codeId);
    this.kv.put(GRANT, input.grant);
    if (input.refreshTokenHash !== undefined && input.refreshExpiresAt !== undefined) {
      const refresh: RefreshTokenState = {
        hash: input.refreshTokenHash,
        expiresAt: input.refreshExpiresAt,
      };
      this.kv.put(REFRESH, refresh);
    }
    await this.retain(input.now, input.retainUntil, input.refreshExpiresAt);
    return { ok: true };
  }

  /**
   * Exchanges the current refresh token for a new one (RFC 6749 §6; rotation: RFC 9700 §4.14.2).
   * A retired token presented again means two parties hold it: the whole grant is revoked.
   */
  async rotateRefreshToken(input: RotateRefreshTokenInput): Promise<RotateRefreshTokenResult> {
    const grant = this.kv.get<GrantRecord>(GRANT);
    if (grant === undefined) return { ok: false, reason: "unknown" };
    if (this.kv.get<number>(REVOKED) !== undefined) return { ok: false, reason: "revoked" };
    // Checked before reuse: a client that is not the grant's must not be able to revoke it.
    if (grant.clientId !== input.clientId) return { ok: false, reason: "client_mismatch" };

    if (this.kv.get<number>(rotated(input.presentedHash)) !== undefined) {
      await this.revokeGrant(input.now);
      return { ok: false, reason: "reused" };
    }
    const current = this.kv.get<RefreshTokenState>(REFRESH);
    if (current === undefined || current.hash !== input.presentedHash) {
      return { ok: false, reason: "unknown" };
    }
    if (current.expiresAt <= input.now) return { ok: false, reason: "expired" };
    // RFC 6749 §6: the scope may be narrowed, never widened; RFC 8707 §2.2: likewise resources.
    if (!isSubset(input.scope, grant.scope)) return { ok: false, reason: "invalid_scope" };
    if (!isSubset(input.resource, grant.resource)) return { ok: false, reason: "invalid_target" };

    this.kv.put(rotated(current.hash), input.now);
    const next: RefreshTokenState = { hash: input.newHash, expiresAt: input.newExpiresAt };
    this.kv.put(REFRESH, next);
    await this.retain(input.now, input.retainUntil, input.newExpiresAt);
    return { ok: true, grant };
  }

  /** Revokes the grant and forgets its refresh token (RFC 7009 §2.1: the whole grant goes). */
  async revoke(): Promise<void> {
    if (this.kv.get<GrantRecord>(GRANT) === undefined) return;
    await this.revokeGrant(Math.floor(Date.now() / 1000));
  }

  /**
   * Whether `hash` is the grant's current, unexpired refresh token of a grant that is not
   * revoked. Read-only: unlike rotation, presenting a retired token here revokes nothing
   * (introspection is a question, not a use of the token).
   */
  async currentRefreshToken(hash: string, now: number): Promise<CurrentRefreshToken> {
    const grant = this.kv.get<GrantRecord>(GRANT);
    if (grant === undefined || this.kv.get<number>(REVOKED) !== undefined) {
      return { current: false };
    }
    const refresh = this.kv.get<RefreshTokenState>(REFRESH);
    if (refresh === undefined || refresh.hash !== hash || refresh.expiresAt <= now) {
      return { current: false };
    }
    return { current: true, grant, expiresAt: refresh.expiresAt };
  }

  /**
   * RFC 7009 §2.1: revokes the grant when `hash` is one of its refresh tokens (the current one,
   * or a retired one: like reuse at the token endpoint, the holder of a rotated token asking
   * for revocation means the grant should end) and `clientId` its client, checked and done
   * atomically. Another client's token is never revoked (§2.1: the server verifies that the
   * token was issued to the requesting client).
   */
  async revokeRefreshToken(hash: string, clientId: string): Promise<RevokeRefreshTokenResult> {
    const grant = this.kv.get<GrantRecord>(GRANT);
    if (grant === undefined) return "unknown";
    const isCurrent = this.kv.get<RefreshTokenState>(REFRESH)?.hash === hash;
    if (!isCurrent && this.kv.get<number>(rotated(hash)) === undefined) return "unknown";
    if (grant.clientId !== clientId) return "client_mismatch";
    await this.revokeGrant(Math.floor(Date.now() / 1000));
    return "revoked";
  }

  async status(): Promise<GrantStatus> {
    const grant = this.kv.get<GrantRecord>(GRANT);
    if (grant === undefined) return { state: "unknown" };
    if (this.kv.get<number>(REVOKED) !== undefined) return { state: "revoked", grant };
    const refresh = this.kv.get<RefreshTokenState>(REFRESH);
    return refresh === undefined
      ? { state: "active", grant }
      : { state: "active", grant, refreshExpiresAt: refresh.expiresAt };
  }

  /** The grant has outlived its code, tokens and reuse window: forget it entirely. */
  override async alarm(): Promise<void> {
    const retainUntil = this.kv.get<number>(RETAIN_UNTIL);
    if (retainUntil !== undefined && alarmTime(retainUntil) > Date.now()) {
      // Extended while this alarm was already running.
      await this.ctx.storage.setAlarm(alarmTime(retainUntil));
      return;
    }
    // Compatibility date ≥ 2026-02-24: deleteAll() removes the alarm too.
    await this.ctx.storage.deleteAll();
  }

  private async revokeGrant(now: number): Promise<void> {
    const refresh = this.kv.get<RefreshTokenState>(REFRESH);
    if (this.kv.get<number>(REVOKED) === undefined) this.kv.put(REVOKED, now);
    this.kv.delete(REFRESH);
    // The state above is already decided; the advisory KV index follows (a failure there is
    // logged, and must not turn a refused replay into a 500).
    if (refresh !== undefined) await unindexRefreshTokens(this.env, [refresh.hash]);
  }

  /** Keeps the grant until the latest of the given times, then its alarm deletes it. */
  private async retain(now: number, ...until: (number | undefined)[]): Promise<void> {
    const latest = Math.max(
      now,
      this.kv.get<number>(RETAIN_UNTIL) ?? 0,
      ...until.map((t) => t ?? 0),
    );
    this.kv.put(RETAIN_UNTIL, latest);
    await this.ctx.storage.setAlarm(alarmTime(latest));
  }
}

function isSubset(requested: readonly string[] | undefined, granted: readonly string[]): boolean {
  return requested === undefined || requested.every((item) => granted.includes(item));
}

/** A minute of slack: a code or token may still look valid at `retainUntil` by another clock. */
function alarmTime(retainUntil: number): number {
  return (retainUntil + 60) * 1000;
}
