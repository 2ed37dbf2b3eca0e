/**
 * The `sessions` table of one user's Durable Object (src/storage/user-object.ts), beside the
 * grants: one row per browser session the user started. Only this module knows the schema; every
 * method is synchronous, so the object composes them into atomic decisions.
 *
 * Like the grants table it is created by the first write, never by a read: a session cookie
 * naming some sid must not leave storage behind in an object that has none.
 */
export interface SessionRow {
  /** Random (randomToken(16), 128 bits), carried in the sealed session cookie. */
  sid: string;
  created_at: number;
  auth_time: number;
  /** JSON array of RFC 8176 values, or null; the acr, or null. */
  amr: string | null;
  acr: string | null;
  /** When the browser's cookie was last re-validated here (SESSION_CHECK_INTERVAL). */
  last_seen_at: number;
  /** The cookie's own expiry (SESSION_TTL after sign-in); the row is deleted after it. */
  expires_at: number;
  /** A short summary of the User-Agent header, for an admin telling sessions apart; or null. */
  user_agent: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  sid TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  auth_time INTEGER NOT NULL,
  amr TEXT,
  acr TEXT,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  user_agent TEXT
);`;

type Row = SessionRow & Record<string, SqlStorageValue>;

export class SessionTable {
  #ready: boolean;

  constructor(private readonly sql: SqlStorage) {
    this.#ready =
      sql
        .exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sessions'")
        .toArray().length > 0;
  }

  insert(row: SessionRow): void {
    this.#create();
    this.sql.exec(
      `INSERT INTO sessions (sid, created_at, auth_time, amr, acr, last_seen_at, expires_at,
         user_agent)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      row.sid,
      row.created_at,
      row.auth_time,
      row.amr,
      row.acr,
      row.last_seen_at,
      row.expires_at,
      row.user_agent,
    );
  }

  /** The live session `sid`, marked as seen at `now`; undefined when it ended or expired. */
  touch(sid: string, now: number): SessionRow | undefined {
    if (!this.#ready) return undefined;
    return this.sql
      .exec<Row>(
        "UPDATE sessions SET last_seen_at = ? WHERE sid = ? AND expires_at > ? RETURNING *",
        now,
        sid,
        now,
      )
      .toArray()[0];
  }

  /** Live sessions, oldest first. */
  listLive(now: number): SessionRow[] {
    if (!this.#ready) return [];
    return this.sql
      .exec<Row>("SELECT * FROM sessions WHERE expires_at > ? ORDER BY created_at, sid", now)
      .toArray();
  }

  /** Deletes one session (or all of them); returns the live ones it ended. */
  delete(now: number, sid?: string): SessionRow[] {
    if (!this.#ready) return [];
    const rows =
      sid === undefined
        ? this.sql.exec<Row>("DELETE FROM sessions RETURNING *")
        : this.sql.exec<Row>("DELETE FROM sessions WHERE sid = ? RETURNING *", sid);
    return rows.toArray().filter((row) => row.expires_at > now);
  }

  /** Deletes sessions expired at `cutoff`; returns the next expiry still stored. */
  deleteExpired(cutoff: number): number | undefined {
    if (!this.#ready) return undefined;
    this.sql.exec("DELETE FROM sessions WHERE expires_at <= ?", cutoff);
    return this.nextDue();
  }

  nextDue(): number | undefined {
    if (!this.#ready) return undefined;
    const row = this.sql
      .exec<{ due: number | null }>("SELECT MIN(expires_at) AS due FROM sessions")
      .one();
    return row.due ?? undefined;
  }

  #create(): void {
    if (this.#ready) return;
    this.sql.exec(SCHEMA);
    this.#ready = true;
  }
}

/** A session as the rest of Gatehouse sees it (seconds since the epoch). */
export interface SessionRecord {
  sid: string;
  createdAt: number;
  authTime: number;
  amr?: string[];
  acr?: string;
  lastSeenAt: number;
  expiresAt: number;
  userAgent?: string;
}

export function sessionRecord(row: SessionRow): SessionRecord {
  return {
    sid: row.sid,
    createdAt: row.created_at,
    authTime: row.auth_time,
    ...(row.amr === null ? {} : { amr: JSON.parse(row.amr) as string[] }),
    ...(row.acr === null ? {} : { acr: row.acr }),
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    ...(row.user_agent === null ? {} : { userAgent: row.user_agent }),
  };
}
