/**
 * A per-isolate read cache in front of KV, for the records the hot path reads on every request:
 * clients (CLIENTS `client:*`), users (USERS `user:*`) and remembered consents (USERS
 * `consent:*`). Each is read from KV at most once per READ_CACHE_TTL_MS per isolate; writes and
 * deletes made through the repositories in this isolate replace or drop the entry at once.
 *
 * Why 30 s: KV itself is eventually consistent, and a value read at one location may be up to
 * 60 s old (its propagation window; `get`'s default cacheTtl is 60 s). An entry kept here for at
 * most 30 s stays within that window, so a change made at another location reaches this isolate
 * within KV's own delay plus at most 30 s; a change made in this isolate is seen here at once
 * (a deleted client can no longer authorize, a deleted user no longer refreshes). Half the window
 * keeps the added delay small while a busy isolate still reads each record about twice a minute.
 *
 * What is cached is KV's text (or its absence), never a parsed object: every read parses its own
 * copy, so no request can change what another one sees. Absence is cached too, so that a client
 * id that does not exist answers as fast as one that does (clients.ts: the token and client
 * configuration endpoints are no oracle for client ids); it is replaced at once by a write here.
 *
 * One cache per KV binding object: an app built with other bindings (a test's counted or failing
 * wrappers, another deployment's stores) never sees this one's entries.
 */

/** How long an entry answers without asking KV: half of KV's own 60 s propagation window. */
export const READ_CACHE_TTL_MS = 30_000;
/**
 * Entries per namespace, least recently used dropped first: records are small (a client is about
 * 1 KiB), so a full cache holds about 1 MiB of an isolate's 128 MiB.
 */
export const READ_CACHE_MAX_ENTRIES = 1_000;
/**
 * A record longer than this is read from KV every time rather than kept: a self-registered client
 * may be up to the 64 KiB body limit, and a thousand such (open registration) would otherwise
 * hold 64 MiB of an isolate. With it, the cache stays under READ_CACHE_MAX_ENTRIES × 8 KiB.
 */
export const READ_CACHE_MAX_TEXT = 8 * 1024;

interface Entry {
  /** KV's text for the key; null when KV has no such key. */
  text: string | null;
  expiresAt: number;
}

class ReadCache {
  readonly #entries = new Map<string, Entry>();
  /** Bumped by every write and delete: a read that started before one must not fill the cache. */
  #writes = 0;

  get writes(): number {
    return this.#writes;
  }

  /** The cached text (null: known absent), or undefined when not cached or expired. */
  get(key: string): string | null | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (Date.now() >= entry.expiresAt) return undefined;
    this.#entries.set(key, entry); // most recently used last
    return entry.text;
  }

  set(key: string, text: string | null): void {
    this.#entries.delete(key);
    if (text !== null && text.length > READ_CACHE_MAX_TEXT) return;
    this.#entries.set(key, { text, expiresAt: Date.now() + READ_CACHE_TTL_MS });
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= READ_CACHE_MAX_ENTRIES) break;
      this.#entries.delete(oldest);
    }
  }

  /** A write or delete of `key` is under way or done: forget it, and refuse older reads. */
  invalidate(key: string): void {
    this.#writes++;
    this.#entries.delete(key);
  }

  /**
   * A write of `key` is starting: the count of this isolate's writes and deletes when it started,
   * to hand to `settle` once KV has it.
   */
  begin(key: string): number {
    this.invalidate(key);
    return this.#writes;
  }

  /**
   * The write `begin` counted is done: keep its value, unless another write or delete started in
   * this isolate meanwhile (then which one KV kept last is unknown here: keep nothing).
   */
  settle(key: string, started: number, text: string | null): void {
    if (this.#writes === started) {
      this.invalidate(key);
      this.set(key, text);
    } else {
      this.invalidate(key);
    }
  }
}

const caches = new WeakMap<KVNamespace, ReadCache>();

function cacheOf(namespace: KVNamespace): ReadCache {
  let cache = caches.get(namespace);
  if (cache === undefined) {
    cache = new ReadCache();
    caches.set(namespace, cache);
  }
  return cache;
}

/** KV's JSON value for `key`, from this isolate's cache when it has a fresh entry. */
export async function cachedJson<T>(namespace: KVNamespace, key: string): Promise<T | null> {
  const cache = cacheOf(namespace);
  let text = cache.get(key);
  if (text === undefined) {
    const writes = cache.writes;
    text = await namespace.get(key);
    // A write or delete in this isolate while KV answered: the answer may predate it.
    if (cache.writes === writes) cache.set(key, text);
  }
  return text === null ? null : (JSON.parse(text) as T);
}

/** Writes `value` as JSON to KV; this isolate reads it back from its cache at once. */
export async function putCachedJson(
  namespace: KVNamespace,
  key: string,
  value: unknown,
  options?: KVNamespacePutOptions,
): Promise<void> {
  const cache = cacheOf(namespace);
  const text = JSON.stringify(value);
  const started = cache.begin(key);
  await namespace.put(key, text, options);
  cache.settle(key, started, text);
}

/**
 * Deletes `key` from KV; this isolate knows it absent at once, even while KV at this location
 * might still answer with the old value.
 */
export async function deleteCached(namespace: KVNamespace, key: string): Promise<void> {
  const cache = cacheOf(namespace);
  const started = cache.begin(key);
  await namespace.delete(key);
  cache.settle(key, started, null);
}
