/**
 * Lock verdicts remembered in this isolate's memory, so that a locked key is refused without a
 * Durable Object call (and a key that has never failed here costs nothing at all). The Durable
 * Object stays the authority: it is asked whenever a failure is counted, and its answer refreshes
 * what is remembered here. Another isolate that has not yet seen a failure simply asks it then.
 */
import { LOCK_MEMORY_SIZE } from "../storage/throttle-policy";

const locks = new Map<string, number>();

/** Seconds until the remembered lock on `key` ends (rounded up), or undefined when none holds. */
export function rememberedLock(key: string, now = Date.now()): number | undefined {
  const until = locks.get(key);
  if (until === undefined) return undefined;
  if (until <= now) {
    locks.delete(key);
    return undefined;
  }
  return Math.ceil((until - now) / 1000);
}

/** Remembers that `key` is locked until `until` (epoch ms); a past time forgets it. */
export function rememberLock(key: string, until: number, now = Date.now()): void {
  locks.delete(key);
  if (until <= now) return;
  if (locks.size >= LOCK_MEMORY_SIZE) {
    // Map iteration is insertion order: the first key is the one remembered longest ago.
    const oldest = locks.keys().next();
    if (!oldest.done) locks.delete(oldest.value);
  }
  locks.set(key, until);
}

/** Forgets every remembered verdict (tests: an isolate that has seen nothing yet). */
export function forgetRememberedLocks(): void {
  locks.clear();
}
