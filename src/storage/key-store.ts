import { DurableObject } from "cloudflare:workers";
import type { JWK } from "jose";
import { type Config, getConfig, SIGNING_ALGS, type SigningAlg } from "../config";
import { randomToken } from "../crypto/random";
import { UNNAMED_SEAL_KID } from "../crypto/seal";
import { generateSigningJwk } from "../crypto/signing-keys";

/**
 * A key's place in its rotation (README "Key rotation"):
 * - next: published (the JWKS; every isolate's key set), not yet signing or sealing;
 * - current: signs (one per algorithm) or seals;
 * - retired: still published, still verifies and opens, until everything it made has expired.
 * A rotation moves next → current → retired and creates a new next.
 */
export type KeyStatus = "next" | "current" | "retired";

/** One asymmetric signing key as stored: a private JWK whose `kid` is its RFC 7638 thumbprint. */
export interface StoredSigningKey {
  kid: string;
  alg: SigningAlg;
  /** Private JWK (kty, crv/x/y/d or n/e/d/p/q/dp/dq/qi, plus kid and alg). */
  privateJwk: JWK;
  status: KeyStatus;
  createdAt: number;
}

/** One 256-bit sealing secret (AES-256-GCM), named by the `kid` its JWE headers carry. */
export interface StoredSealKey {
  kid: string;
  /** base64url */
  secret: string;
  status: KeyStatus;
  createdAt: number;
}

/** Everything the KeyStore holds; returned whole so each isolate needs one round trip. */
export interface KeySet {
  signingKeys: StoredSigningKey[];
  sealKeys: StoredSealKey[];
}

/** The signing kids a rotation leaves current and next (POST /admin/keys/rotate). */
export interface RotationResult {
  current: string[];
  next: string[];
}

/** A rotation refused because the next keys are not yet known everywhere: retry after this. */
export interface RotationTooSoon {
  retryAfter: number;
}

/**
 * How long an isolate may keep using a key set it read (src/storage/keys.ts). A key the KeyStore
 * retires may still sign or seal in another isolate for this long, so retention adds it.
 */
export const ISOLATE_KEYS_TTL_SECONDS = 60;

/** How long a verifier may cache /jwks.json (its Cache-Control max-age). */
export const JWKS_MAX_AGE_SECONDS = 600;

/**
 * The least time a key is published as next before a rotation may make it sign or seal: every
 * verifier honouring the JWKS max-age, and every isolate (whose key cache also serves the JWKS
 * and opens sealed values), has then seen it. The schedule's period (≥ 1 day) is far longer; this
 * bound refuses only on-demand rotations in quick succession.
 */
export const MIN_PUBLISHED_SECONDS = JWKS_MAX_AGE_SECONDS + ISOLATE_KEYS_TTL_SECONDS;

/** The clock skew resource servers allow on `exp` (verify-access-token.ts uses 5 s). */
const CLOCK_SKEW_SECONDS = 60;

/**
 * The longest a value sealed by the authorization flow lives besides sessions: interaction
 * tickets (15 min, src/oauth/interaction-ticket.ts), codes (CODE_TTL ≤ 600 s).
 */
const SEALED_FLOW_BOUND_SECONDS = 3600;

/** A rotation line: each signing algorithm has its own, and so has the sealing secret. */
type Line = SigningAlg | "seal";
const LINES: readonly Line[] = [...SIGNING_ALGS, "seal"];

interface Row {
  kid: string;
  line: string;
  material: string;
  status: KeyStatus;
  created_at: number;
  /** When the key entered its status (became current, or retired). */
  status_at: number;
}

/**
 * The singleton (binding KEYS, name "keys") that keeps Gatehouse's keys in its SQLite storage and
 * rotates them. Being one Durable Object, it is the single place where the key set is decided:
 * concurrent first requests from every isolate and colo get the same keys, and a rotation is one
 * transaction.
 *
 * Rotation runs on the object's alarm every KEY_ROTATION_PERIOD (0: never) and on demand
 * (`rotate`, POST /admin/keys/rotate). Retired keys are dropped once nothing they made can still
 * be valid: signing keys after ACCESS_TOKEN_TTL (access and ID tokens share it), sealing keys
 * after the longest sealed lifetime the flow relies on (SESSION_TTL, codes, tickets, the refresh
 * grace). Device cookies (180 days) may outlive their sealing key: the browser then counts as
 * unknown to the login throttle, which is only stricter.
 */
export class KeyStore extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // No request reaches the object before the key set exists, so two first calls cannot
    // each generate keys; a failure resets the object and the next call retries.
    void ctx.blockConcurrencyWhile(async () => {
      this.#createTables();
      await this.#fillLines(Math.floor(Date.now() / 1000));
      await this.#scheduleRotation();
    });
  }

  /**
   * RPC: the whole key set (private material included; it never leaves Gatehouse's isolates),
   * without retired keys whose products have all expired.
   */
  getKeySet(): KeySet {
    this.#dropExpired(Math.floor(Date.now() / 1000));
    return toKeySet(this.#rows());
  }

  /**
   * RPC: rotates every line now (next → current → retired, a new next) and restarts the period;
   * or, while a next key has been published for less than MIN_PUBLISHED_SECONDS, changes nothing
   * and says when to retry.
   */
  async rotate(): Promise<RotationResult | RotationTooSoon> {
    const now = Math.floor(Date.now() / 1000);
    const newestNext = Math.max(
      0,
      ...this.#rows()
        .filter((r) => r.status === "next")
        .map((r) => r.status_at),
    );
    if (newestNext + MIN_PUBLISHED_SECONDS > now) {
      return { retryAfter: newestNext + MIN_PUBLISHED_SECONDS - now };
    }
    // Create the new next keys first (async), then move every status in one transaction.
    const fresh = await Promise.all(LINES.map((line) => createKey(line)));
    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => {
      for (const line of LINES) {
        sql.exec(
          "UPDATE key_ring SET status = 'retired', status_at = ? WHERE line = ? AND status = 'current'",
          now,
          line,
        );
        sql.exec(
          "UPDATE key_ring SET status = 'current', status_at = ? WHERE line = ? AND status = 'next'",
          now,
          line,
        );
      }
      for (const key of fresh) this.#insert(key, "next", now);
    });
    // A line that had no next key (impossible after #fillLines, but cheap to heal) gets one.
    await this.#fillLines(now);
    this.#dropExpired(now);
    await this.#scheduleRotation();
    const { signingKeys } = toKeySet(this.#rows());
    const kids = (status: KeyStatus) =>
      signingKeys.filter((k) => k.status === status).map((k) => k.kid);
    return { current: kids("current"), next: kids("next") };
  }

  /** The scheduled rotation (the only alarm this object sets). */
  override async alarm(): Promise<void> {
    if (this.#config().keyRotationPeriod === 0) return;
    const outcome = await this.rotate();
    // Only if an on-demand rotation published new next keys moments ago: try again then.
    if ("retryAfter" in outcome) {
      await this.ctx.storage.setAlarm(Date.now() + outcome.retryAfter * 1000);
    }
  }

  #config(): Config {
    return getConfig(this.env);
  }

  #createTables(): void {
    const sql = this.ctx.storage.sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS key_ring (
      kid TEXT PRIMARY KEY,
      line TEXT NOT NULL,
      material TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('next', 'current', 'retired')),
      created_at INTEGER NOT NULL,
      status_at INTEGER NOT NULL
    )`);
    this.#adoptKeysFromBeforeRotation();
  }

  /**
   * Deployments from before rotation kept their keys in `signing_keys` and `secrets`: carry them
   * over once, so tokens already issued still verify and sealed values still open. The old seal
   * secret had no kid; values sealed under it carry none, and open under UNNAMED_SEAL_KID.
   */
  #adoptKeysFromBeforeRotation(): void {
    const sql = this.ctx.storage.sql;
    const tables = sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('signing_keys', 'secrets')",
      )
      .toArray()
      .map((r) => r.name);
    if (tables.length === 0) return;
    this.ctx.storage.transactionSync(() => {
      if (tables.includes("signing_keys")) {
        sql.exec(`INSERT OR IGNORE INTO key_ring (kid, line, material, status, created_at, status_at)
          SELECT kid, alg, private_jwk, status, created_at, created_at FROM signing_keys`);
        sql.exec("DROP TABLE signing_keys");
      }
      if (tables.includes("secrets")) {
        sql.exec(
          `INSERT OR IGNORE INTO key_ring (kid, line, material, status, created_at, status_at)
           SELECT ?, 'seal', value, 'current', created_at, created_at FROM secrets WHERE purpose = 'seal'`,
          UNNAMED_SEAL_KID,
        );
        sql.exec("DROP TABLE secrets");
      }
    });
  }

  /** Gives every line a current and a next key (first use, or a newly supported algorithm). */
  async #fillLines(now: number): Promise<void> {
    const rows = this.#rows();
    const missing: { line: Line; status: KeyStatus }[] = [];
    for (const line of LINES) {
      for (const status of ["current", "next"] as const) {
        if (!rows.some((r) => r.line === line && r.status === status)) missing.push({ line, status });
      }
    }
    if (missing.length === 0) return;
    const created = await Promise.all(missing.map(({ line }) => createKey(line)));
    this.ctx.storage.transactionSync(() => {
      created.forEach((key, i) => this.#insert(key, missing[i]!.status, now));
    });
  }

  #insert(key: NewKey, status: KeyStatus, now: number): void {
    this.ctx.storage.sql.exec(
      `INSERT INTO key_ring (kid, line, material, status, created_at, status_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
      key.kid,
      key.line,
      key.material,
      status,
      now,
      now,
    );
  }

  /** Removes retired keys whose every token or sealed value has expired. */
  #dropExpired(now: number): void {
    const retention = retentionSeconds(this.#config());
    const sql = this.ctx.storage.sql;
    sql.exec(
      "DELETE FROM key_ring WHERE status = 'retired' AND line != 'seal' AND status_at + ? <= ?",
      retention.signing,
      now,
    );
    sql.exec(
      "DELETE FROM key_ring WHERE status = 'retired' AND line = 'seal' AND status_at + ? <= ?",
      retention.seal,
      now,
    );
  }

  /** The alarm fires one period after the current keys became current (none when period is 0). */
  async #scheduleRotation(): Promise<void> {
    const period = this.#config().keyRotationPeriod;
    if (period === 0) {
      await this.ctx.storage.deleteAlarm();
      return;
    }
    const since = Math.max(
      0,
      ...this.#rows()
        .filter((r) => r.status === "current")
        .map((r) => r.status_at),
    );
    await this.ctx.storage.setAlarm((since + period) * 1000);
  }

  #rows(): Row[] {
    return this.ctx.storage.sql
      .exec<Row & Record<string, SqlStorageValue>>(
        `SELECT kid, line, material, status, created_at, status_at FROM key_ring
         ORDER BY created_at, kid`,
      )
      .toArray();
  }
}

/**
 * How long a retired key must stay: everything it signed or sealed was made at the latest one
 * isolate cache lifetime after it retired, and lives at most its TTL, give or take clock skew.
 */
export function retentionSeconds(config: Config): { signing: number; seal: number } {
  const margin = ISOLATE_KEYS_TTL_SECONDS + CLOCK_SKEW_SECONDS;
  const sealed = Math.max(
    config.sessionTtl,
    config.codeTtl,
    config.refreshTokenReuseGrace + 60,
    SEALED_FLOW_BOUND_SECONDS,
  );
  return { signing: config.accessTokenTtl + margin, seal: sealed + margin };
}

function toKeySet(rows: Row[]): KeySet {
  const signingKeys: StoredSigningKey[] = [];
  const sealKeys: StoredSealKey[] = [];
  for (const row of rows) {
    const base = { kid: row.kid, status: row.status, createdAt: row.created_at };
    if (row.line === "seal") {
      sealKeys.push({ ...base, secret: row.material });
    } else if ((SIGNING_ALGS as readonly string[]).includes(row.line)) {
      const privateJwk = JSON.parse(row.material) as JWK;
      signingKeys.push({ ...base, alg: row.line as SigningAlg, privateJwk });
    }
  }
  return { signingKeys, sealKeys };
}

interface NewKey {
  kid: string;
  line: Line;
  material: string;
}

function createKey(line: Line): Promise<NewKey> {
  return line === "seal" ? Promise.resolve(createSealKey()) : createSigningKey(line);
}

/** A fresh 256-bit secret; its kid is random too (it names the key, says nothing about it). */
function createSealKey(): NewKey {
  return { kid: `seal-${randomToken(12)}`, line: "seal", material: randomToken(32) };
}

/** A fresh key pair for `alg`, exported as a private JWK with its RFC 7638 thumbprint as kid. */
async function createSigningKey(alg: SigningAlg): Promise<NewKey> {
  // The thumbprint covers only the required public members (RFC 7638 §3.2).
  const { jwk, thumbprint: kid } = await generateSigningJwk(alg);
  return { kid, line: alg, material: JSON.stringify({ ...jwk, kid, alg }) };
}
