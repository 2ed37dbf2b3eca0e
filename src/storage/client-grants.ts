/**
 * Which users hold grants of a client, in the TOKENS namespace. This module owns the layout:
 *   client-grant:<client_id>:<grant_id>   → "" with metadata { sub }, expiring with the grant
 *
 * Grants live in their user's Durable Object, so deleting a client needs to find its users.
 * One record is written per grant, once, at the code exchange (never at refresh: KV writes are
 * the Free plan's scarce resource), and read when the client is deleted. It holds no secret.
 * KV lists are eventually consistent: a grant started in the last minute at another location
 * may be missed; its refresh is refused anyway (the client no longer authenticates).
 */
import { revokeUserGrants } from "./grants";
import type { Stores } from "./stores";

interface ClientGrantMetadata {
  sub: string;
}

const prefix = (clientId: string) => `client-grant:${clientId}:`;

/** KV refuses an expirationTtl below 60 seconds. */
const KV_MIN_TTL = 60;
/** Users whose objects are asked at once while revoking a client's grants. */
const FAN_OUT = 20;

/** Records that `sub` holds grant `grantId` of `clientId` until `expiresAt` (seconds). */
export async function recordClientGrant(
  stores: Stores,
  record: { clientId: string; grantId: string; sub: string; expiresAt: number },
): Promise<void> {
  const ttl = Math.max(KV_MIN_TTL, record.expiresAt - Math.floor(Date.now() / 1000));
  const metadata: ClientGrantMetadata = { sub: record.sub };
  await stores.TOKENS.put(`${prefix(record.clientId)}${record.grantId}`, "", {
    expirationTtl: ttl,
    metadata,
  });
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
