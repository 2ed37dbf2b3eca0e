import { cachedJson, deleteCached, putCachedJson } from "./isolate-cache";
import type { Stores } from "./stores";
/**
 * Remembered consents, in the USERS namespace under `consent:<sub>:<client_id>`. A consent is
 * what a user allowed one client to have; a later request for no more than that skips the
 * consent page. Eventual consistency is acceptable here: a just-given consent seen late only
 * shows the page once more, and a forgotten one (user deleted) no longer matters because the
 * user can no longer sign in. Reads go through the isolate's read cache (isolate-cache.ts).
 */
export interface ConsentRecord {
  scopes: string[];
  /**
   * RFC 8707 resources (audiences) allowed. Absent in records written before resources were
   * remembered: those cover no resource, so a request naming one asks again.
   */
  resources?: string[];
  /** Seconds since the epoch. */
  updatedAt: number;
}

/** Remembered consents expire after a year without renewal. */
const CONSENT_TTL = 365 * 86_400;

const key = (sub: string, clientId: string) => `consent:${sub}:${clientId}`;

export async function getConsent(
  stores: Stores,
  sub: string,
  clientId: string,
): Promise<ConsentRecord | null> {
  return cachedJson<ConsentRecord>(stores.USERS, key(sub, clientId));
}

/** What a consent is about: the scopes and the RFC 8707 resources of a request. */
export interface ConsentScope {
  scope: readonly string[];
  resource: readonly string[];
}

/**
 * Whether a remembered consent covers every requested scope and every requested resource: a
 * token for a resource server the user never allowed is more than they consented to.
 */
export function consentCovers(consent: ConsentRecord | null, asked: ConsentScope): boolean {
  if (consent === null) return false;
  const resources = consent.resources ?? [];
  return (
    asked.scope.every((s) => consent.scopes.includes(s)) &&
    asked.resource.every((r) => resources.includes(r))
  );
}

/** Remembers the scopes and resources (added to those already allowed). */
export async function rememberConsent(
  stores: Stores,
  sub: string,
  clientId: string,
  scopes: readonly string[],
  resources: readonly string[] = [],
): Promise<void> {
  const existing = await getConsent(stores, sub, clientId);
  const record: ConsentRecord = {
    scopes: [...new Set([...(existing?.scopes ?? []), ...scopes])],
    resources: [...new Set([...(existing?.resources ?? []), ...resources])],
    updatedAt: Math.floor(Date.now() / 1000),
  };
  await putCachedJson(stores.USERS, key(sub, clientId), record, {
    expirationTtl: CONSENT_TTL,
  });
}

/** Forgets every consent a user gave (called when the user is deleted). */
export async function forgetConsents(stores: Stores, sub: string): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await stores.USERS.list({
      prefix: `consent:${sub}:`,
      ...(cursor ? { cursor } : {}),
    });
    await Promise.all(page.keys.map((k) => deleteCached(stores.USERS, k.name)));
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
}
