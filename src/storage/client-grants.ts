/**
 * Which users hold grants of a client, in the TOKENS namespace. This module owns the layout:
 *   client-grant:<client_id>:<sub>   → "" with metadata { sub }, expiring after the user's grants
 * (records written before were keyed by grant id, `client-grant:<client_id>:<grant_id>`; they
 * carry the same metadata and are read alike until they expire).
 *
 * Grants live in their user's Durable Object, so deleting a client needs to find its users, and
 * only its users: one record per client and user, not per grant. It is written at a code
 * exchange (never at refresh) unless this isolate wrote it within the last RECORD_SLACK_SECONDS,
 * because KV writes are the Free plan's scarce resource (1,000 a day) and a costly part of the
 * exchange. It holds no secret. KV lists are eventually consistent: a grant started in the last
 * minute at another location may be missed; its refresh is refused anyway (the client no longer
 * authenticates).
 */
import { revokeUserGrants } from "./grants";
import type { Stores } from "./stores";

interface ClientGrantMetadata {
  sub: string;
}

const prefix = (clientId: string) => `client-grant:${clientId}:`;

/** KV refuses an expiration less than 60 seconds ahead. */
const KV_MIN_TTL = 60;
/** Users whose objects are asked at once while revoking a client's grants. */
const FAN_OUT = 20;
/**
 * How much longer than the grant it covers a record is written to live: a later grant of the
 * same user and client that ends within it is covered without another write. A day: an active
 * pair costs one write per isolate per day instead of one per login.
 */
export const RECORD_SLACK_SECONDS = 86_400;
/** Pairs remembered per TOKENS binding (least recently written dropped first). */
const WRITTEN_MAX_ENTRIES = 1_000;

/** Per TOKENS binding: `<client_id>:<sub>` → when the record this isolate wrote expires. */
const written = new WeakMap<KVNamespace, Map<string, number>>();

/**
 * Records that `sub` holds a grant of `clientId` that ends by `expiresAt` (seconds), unless the
 * record this isolate last wrote already outlives it. Writers always extend a record: each writes
 * `expiresAt` + RECORD_SLACK_SECONDS of a grant started now, so callers pass the longest end a
 * grant of theirs can have, whatever the grant (the last write must cover every earlier grant).
 * Only a lowered GRANT_MAX_LIFETIME breaks that: the record may then end before older, longer
 * grants. They stay harmless: a deleted client cannot authenticate to refresh them, and a grant
 * wider than a narrowed registration is revoked at its next refresh (oauth/grants/refresh-token.ts).
 */
export async function recordClientGrant(
  stores: Stores,
  record: { clientId: string; sub: string; expiresAt: number },
): Promise<void> {
  let memo = written.get(stores.TOKENS);
  if (memo === undefined) {
    memo = new Map();
    written.set(stores.TOKENS, memo);
  }
  const pair = `${record.clientId}:${record.sub}`;
  const known = memo.get(pair);
  if (known !== undefined && known >= record.expiresAt) return;

  const expiresAt = record.expiresAt + RECORD_SLACK_SECONDS;
  const metadata: ClientGrantMetadata = { sub: record.sub };
  await stores.TOKENS.put(`${prefix(record.clientId)}${record.sub}`, "", {
    expiration: Math.max(Math.floor(Date.now() / 1000) + KV_MIN_TTL, expiresAt),
    metadata,
  });
  memo.delete(pair);
  memo.set(pair, expiresAt);
  for (const oldest of memo.keys()) {
    if (memo.size <= WRITTEN_MAX_ENTRIES) break;
    memo.delete(oldest);
  }
}

/** The users holding (or recently holding) grants of `clientId`. */
export async function usersWithGrantsOf(stores: Stores, clientId: string): Promise<string[]> {
  const subs = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await stores.TOKENS.list<ClientGrantMetadata>({
      prefix: prefix(clientId),
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const key of page.keys) {
      if (typeof key.metadata?.sub === "string") subs.add(key.metadata.sub);
    }
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor !== undefined);
  return [...subs];
}

/**
 * Revokes every grant of `clientId`, in each of its users' objects; returns how many were live.
 * The records are left to expire: client ids are never reused, and deleting them costs writes.
 */
export async function revokeClientGrants(stores: Stores, clientId: string): Promise<number> {
  const subs = await usersWithGrantsOf(stores, clientId);
  let revoked = 0;
  for (let i = 0; i < subs.length; i += FAN_OUT) {
    const batch = subs.slice(i, i + FAN_OUT);
    const results = await Promise.all(batch.map((sub) => revokeUserGrants(stores, sub, clientId)));
    revoked += results.reduce((sum, grants) => sum + grants.length, 0);
  }
  return revoked;
}
