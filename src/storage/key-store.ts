import { DurableObject } from "cloudflare:workers";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from "jose";
import { SIGNING_ALGS, type SigningAlg } from "../config";
import { randomToken } from "../crypto/random";

/** Purposes of the symmetric secrets (see ./keys.ts getSealKey). */
export const SECRET_PURPOSES = ["seal"] as const;
export type SecretPurpose = (typeof SECRET_PURPOSES)[number];

/** One asymmetric signing key as stored: a private JWK whose `kid` is its RFC 7638 thumbprint. */
export interface StoredSigningKey {
  kid: string;
  alg: SigningAlg;
  /** Private JWK (kty, crv/x/y/d or n/e/d/p/q/dp/dq/qi, plus kid and alg). */
  privateJwk: JWK;
  /** The key that signs new tokens for its alg; others stay only to verify (rotation). */
  current: boolean;
  createdAt: number;
}

/** Everything the KeyStore holds; returned whole so each isolate needs one round trip. */
export interface KeySet {
  signingKeys: StoredSigningKey[];
  /** 256-bit secrets, base64url. */
  secrets: Record<SecretPurpose, string>;
}

/**
 * The singleton (binding KEYS, name "keys") that creates Gatehouse's keys on first use and keeps
 * them in its SQLite storage. Being one Durable Object, it is the single place where the key set
 * is decided: concurrent first requests from every isolate and colo get the same keys.
 *
 * Rows carry a status ("current" or "retired") so that scheduled rotation can later add a new
 * current key per alg while older keys remain in the JWKS until tokens signed with them expire.
 */
export class KeyStore extends DurableObject<Env> {
  #keySet: KeySet | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // No request reaches the object before the key set exists, so two first calls cannot
    // each generate keys; a failure resets the object and the next call retries.
    void ctx.blockConcurrencyWhile(async () => {
      this.#keySet = await this.#loadOrCreate();
    });
  }

  /** RPC: the whole key set (private material included; it never leaves Gatehouse's isolates). */
  getKeySet(): KeySet {
    if (!this.#keySet) throw new Error("KeyStore not initialised");
    return this.#keySet;
  }

  async #loadOrCreate(): Promise<KeySet> {
    const sql = this.ctx.storage.sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS signing_keys (
      kid TEXT PRIMARY KEY,
      alg TEXT NOT NULL,
      private_jwk TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('current', 'retired')),
      created_at INTEGER NOT NULL
    )`);
    sql.exec(`CREATE TABLE IF NOT EXISTS secrets (
      purpose TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      created_at INTEGER NOT NULL
    )`);

    const existing = this.#read();
    const ready = completeKeySet(existing);
    if (ready) return ready;

    // First use (or a newly supported alg): create only what is missing.
    const missingAlgs = SIGNING_ALGS.filter((alg) => !hasCurrentKey(existing, alg));
    const missingSecrets = SECRET_PURPOSES.filter((p) => existing.secrets[p] === undefined);

    // Generate first (async), then write everything in one synchronous transaction.
    const created = await Promise.all(missingAlgs.map(createSigningKey));
    const now = Math.floor(Date.now() / 1000);
    this.ctx.storage.transactionSync(() => {
      for (const key of created) {
        sql.exec(
          `INSERT INTO signing_keys (kid, alg, private_jwk, status, created_at)
           VALUES (?, ?, ?, 'current', ?)`,
          key.kid,
          key.alg,
          JSON.stringify(key.privateJwk),
          now,
        );
      }
      for (const purpose of missingSecrets) {
        sql.exec(
          "INSERT INTO secrets (purpose, value, created_at) VALUES (?, ?, ?)",
          purpose,
          randomToken(32),
          now,
        );
      }
    });
    const keySet = completeKeySet(this.#read());
    if (!keySet) throw new Error("KeyStore could not create its key set");
    return keySet;
  }

  #read(): StoredKeys {
    const sql = this.ctx.storage.sql;
    const signingKeys = sql
      .exec<{ kid: string; alg: string; private_jwk: string; status: string; created_at: number }>(
        `SELECT kid, alg, private_jwk, status, created_at FROM signing_keys
         ORDER BY created_at, kid`,
      )
      .toArray()
      .filter((row) => (SIGNING_ALGS as readonly string[]).includes(row.alg))
      .map((row) => ({
        kid: row.kid,
        alg: row.alg as SigningAlg,
        privateJwk: JSON.parse(row.private_jwk) as JWK,
        current: row.status === "current",
        createdAt: row.created_at,
      }));
    const secrets: Partial<Record<SecretPurpose, string>> = {};
    for (const row of sql
      .exec<{ purpose: string; value: string }>("SELECT purpose, value FROM secrets")
      .toArray()) {
      if ((SECRET_PURPOSES as readonly string[]).includes(row.purpose)) {
        secrets[row.purpose as SecretPurpose] = row.value;
      }
    }
    return { signingKeys, secrets };
  }
}

/** What storage holds, possibly incomplete before the first use. */
interface StoredKeys {
  signingKeys: StoredSigningKey[];
  secrets: Partial<Record<SecretPurpose, string>>;
}

/** The key set, if it has a current key for every alg and every secret. */
function completeKeySet(stored: StoredKeys): KeySet | undefined {
  const { seal } = stored.secrets;
  if (seal === undefined) return undefined;
  if (!SIGNING_ALGS.every((alg) => hasCurrentKey(stored, alg))) return undefined;
  return { signingKeys: stored.signingKeys, secrets: { seal } };
}

function hasCurrentKey(stored: StoredKeys, alg: SigningAlg): boolean {
  return stored.signingKeys.some((k) => k.alg === alg && k.current);
}

type NewSigningKey = Pick<StoredSigningKey, "kid" | "alg" | "privateJwk">;

/** A fresh key pair for `alg`, exported as a private JWK with its RFC 7638 thumbprint as kid. */
async function createSigningKey(alg: SigningAlg): Promise<NewSigningKey> {
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === "RS256" ? { modulusLength: 2048 } : {}),
  });
  const jwk = await exportJWK(privateKey);
  // The thumbprint covers only the required public members (RFC 7638 §3.2).
  const kid = await calculateJwkThumbprint(jwk, "sha256");
  return { kid, alg, privateJwk: { ...jwk, kid, alg } };
}
