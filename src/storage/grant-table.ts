/**
 * The SQL tables of one user's Durable Object (src/storage/user-object.ts): that user's grants
 * and the refresh-token hashes they have retired. Only this module knows the schema; every
 * method is synchronous, so the object composes them into atomic decisions.
 *
 * The tables are created by the first write, never by a read: a made-up refresh token or access
 * token that names some object must not leave storage (an object that exists forever) behind.
 */
export interface GrantRow {
  grant_id: string;
  client_id: string;
  /** JSON arrays of strings. */
  scope: string;
  resource: string;
  auth_time: number;
  /** How the user authenticated: a JSON array of RFC 8176 values, and the acr; null if unknown. */
  amr: string | null;
  acr: string | null;
  created_at: number;
  /** Absolute end of the grant (GRANT_MAX_LIFETIME after it started), whatever its refreshes. */
  expires_at: number;
  revoked_at: number | null;
  /** Kept until then (code and access-token lifetimes, refresh expiry), then deleted. */
  retain_until: number;
  /** SHA-256 of the current refresh token, and its (sliding) expiry. */
  refresh_hash: string | null;
  refresh_expires_at: number | null;
  /** The refresh token the current one replaced, and when: the retry grace window. */
  previous_hash: string | null;
  rotated_at: number | null;
  /** The current refresh token sealed (never in clear), returned to a retry within the grace. */
  successor: string | null;
}

export type NewGrantRow = Pick<
  GrantRow,
  | "grant_id"
  | "client_id"
  | "scope"
  | "resource"
  | "auth_time"
  | "amr"
  | "acr"
  | "created_at"
  | "expires_at"
  | "retain_until"
  | "refresh_hash"
  | "refresh_expires_at"
>;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS grants (
  grant_id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL,
  scope TEXT NOT NULL,
  resource TEXT NOT NULL,
  auth_time INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER,
  retain_until INTEGER NOT NULL,
  refresh_hash TEXT,
  refresh_expires_at INTEGER,
  previous_hash TEXT,
  rotated_at INTEGER,
  successor TEXT,
  amr TEXT,
  acr TEXT
);
CREATE TABLE IF NOT EXISTS retired_refresh_tokens (
  hash TEXT PRIMARY KEY,
  grant_id TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS retired_by_grant ON retired_refresh_tokens (grant_id);`;

/** Tables created before grants recorded amr and acr gain the columns (NULL: unknown). */
const ADD_AUTHENTICATION = `
ALTER TABLE grants ADD COLUMN amr TEXT;
ALTER TABLE grants ADD COLUMN acr TEXT;`;

const LIVE = "revoked_at IS NULL AND expires_at > ? AND retain_until > ?";

export class GrantTable {
  #ready: boolean;

  constructor(private readonly sql: SqlStorage) {
    // The same one query as before tells whether the table exists and whether it predates the
    // amr and acr columns: SQLite keeps each table's CREATE statement, ALTERs included.
    const table = sql
      .exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'grants'")
      .toArray()[0];
    this.#ready = table !== undefined;
    if (table !== undefined && !/\bacr TEXT\b/.test(table.sql)) sql.exec(ADD_AUTHENTICATION);
  }

  /** Whether anything was ever written (reads of an empty object answer "unknown"). */
  get exists(): boolean {
    return this.#ready;
  }

  find(grantId: string): GrantRow | undefined {
    if (!this.#ready) return undefined;
    return this.sql.exec<GrantRow & Record<string, SqlStorageValue>>(
      "SELECT * FROM grants WHERE grant_id = ?",
      grantId,
    ).toArray()[0];
  }

  insert(row: NewGrantRow): void {
    this.#create();
    this.sql.exec(
      `INSERT INTO grants (grant_id, client_id, scope, resource, auth_time, amr, acr, created_at,
         expires_at, retain_until, refresh_hash, refresh_expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      row.grant_id,
      row.client_id,
      row.scope,
      row.resource,
      row.auth_time,
      row.amr,
      row.acr,
      row.created_at,
      row.expires_at,
      row.retain_until,
      row.refresh_hash,
      row.refresh_expires_at,
    );
  }

  /** Makes `next` the current refresh token; the presented one is retired (reuse detection). */
  rotate(
    row: GrantRow,
    next: { hash: string; expiresAt: number; successor: string | null; retainUntil: number },
    now: number,
  ): void {
    if (row.refresh_hash === null || row.refresh_expires_at === null) return;
    this.sql.exec(
      "INSERT OR REPLACE INTO retired_refresh_tokens (hash, grant_id, expires_at) VALUES (?, ?, ?)",
      row.refresh_hash,
      row.grant_id,
      row.refresh_expires_at,
    );
    this.sql.exec(
      `UPDATE grants SET refresh_hash = ?, refresh_expires_at = ?, previous_hash = ?,
         rotated_at = ?, successor = ?, retain_until = MAX(retain_until, ?)
       WHERE grant_id = ?`,
      next.hash,
      next.expiresAt,
      row.refresh_hash,
      now,
      next.successor,
      next.retainUntil,
      row.grant_id,
    );
  }

  isRetired(grantId: string, hash: string): boolean {
    if (!this.#ready) return false;
    return (
      this.sql
        .exec("SELECT 1 FROM retired_refresh_tokens WHERE hash = ? AND grant_id = ?", hash, grantId)
        .toArray().length > 0
    );
  }

  /**
   * Revokes grants (one, or all of a client, or all) that are not revoked yet; returns them.
   * Their refresh tokens are forgotten: nothing of a revoked grant is ever accepted again.
   */
  revoke(now: number, where: { grantId?: string; clientId?: string } = {}): GrantRow[] {
    if (!this.#ready) return [];
    const filters = ["revoked_at IS NULL"];
    const bindings: string[] = [];
    if (where.grantId !== undefined) {
      filters.push("grant_id = ?");
      bindings.push(where.grantId);
    }
    if (where.clientId !== undefined) {
      filters.push("client_id = ?");
      bindings.push(where.clientId);
    }
    const revoked = this.sql
      .exec<GrantRow & Record<string, SqlStorageValue>>(
        `UPDATE grants SET revoked_at = ?, refresh_hash = NULL, refresh_expires_at = NULL,
           previous_hash = NULL, successor = NULL
         WHERE ${filters.join(" AND ")} RETURNING *`,
        now,
        ...bindings,
      )
      .toArray();
    for (const row of revoked) {
      this.sql.exec("DELETE FROM retired_refresh_tokens WHERE grant_id = ?", row.grant_id);
    }
    return revoked;
  }

  /** Grants neither revoked nor ended, oldest first. */
  listLive(now: number): GrantRow[] {
    if (!this.#ready) return [];
    return this.sql
      .exec<GrantRow & Record<string, SqlStorageValue>>(
        `SELECT * FROM grants WHERE ${LIVE} ORDER BY created_at, grant_id`,
        now,
        now,
      )
      .toArray();
  }

  /**
   * Deletes what is no longer needed at `cutoff`: grants past their retention (with their retired
   * tokens) and retired tokens that have expired anyway. Returns the earliest time at which
   * something else becomes deletable, or undefined when nothing is left.
   */
  deleteExpired(cutoff: number): number | undefined {
    if (!this.#ready) return undefined;
    this.sql.exec(
      `DELETE FROM retired_refresh_tokens WHERE expires_at <= ?
         OR grant_id IN (SELECT grant_id FROM grants WHERE retain_until <= ?)`,
      cutoff,
      cutoff,
    );
    this.sql.exec("DELETE FROM grants WHERE retain_until <= ?", cutoff);
    return this.nextDue();
  }

  /** The earliest retention or retired-token expiry still stored. */
  nextDue(): number | undefined {
    if (!this.#ready) return undefined;
    const row = this.sql
      .exec<{ due: number | null }>(
        `SELECT MIN(due) AS due FROM (
           SELECT MIN(retain_until) AS due FROM grants
           UNION ALL SELECT MIN(expires_at) FROM retired_refresh_tokens)`,
      )
      .one();
    return row.due ?? undefined;
  }

  #create(): void {
    if (this.#ready) return;
    this.sql.exec(SCHEMA);
    this.#ready = true;
  }
}
