/**
 * Throttles that count failures only (client secrets, invalid tokens), so that the success path
 * costs nothing: a key is refused from the isolate's memory of its lock (./lock-memory.ts), and
 * the Durable Object is called only to count a failure, which also refreshes that memory.
 * The policy is in ./throttle-policy.ts.
 */
import { reserveAttempt } from "../storage/throttles";
import type { Stores } from "../storage/stores";
import { rememberLock, rememberedLock } from "./lock-memory";
import type { ThrottleKind } from "../storage/throttle-policy";
import { type AttemptContext, contextKey } from "../storage/throttle-state";

const SHARED = "*";

function memoryKey(kind: ThrottleKind, name: string, context: string): string {
  return `${kind}:${name}|${context}`;
}

/**
 * Seconds until a lock remembered in this isolate ends for `name` seen from `context` (its own,
 * or the shared one of the whole key), or undefined: no Durable Object call either way.
 */
export function lockedFor(
  kind: ThrottleKind,
  name: string,
  context: AttemptContext,
  now = Date.now(),
): number | undefined {
  const own = rememberedLock(memoryKey(kind, name, contextKey(context)), now);
  const shared = rememberedLock(memoryKey(kind, name, SHARED), now);
  if (own === undefined) return shared;
  return shared === undefined ? own : Math.max(own, shared);
}

/**
 * Counts a failure at the Durable Object and remembers the locks it reports. Answers the seconds
 * to wait when the key was already locked (the failure is then not counted: it happened during
 * a lock another isolate knew of), or undefined when it was counted.
 */
export async function countFailure(
  stores: Stores,
  kind: ThrottleKind,
  name: string,
  context: AttemptContext,
): Promise<number | undefined> {
  const reservation = await reserveAttempt(stores, kind, name, context);
  const now = Date.now();
  const own = memoryKey(kind, name, contextKey(context));
  if (!reservation.allowed) {
    // Which lock refused is not said; remembering it for this context is the safe reading.
    rememberLock(own, now + reservation.retryAfterSeconds * 1000, now);
    return reservation.retryAfterSeconds;
  }
  rememberLock(own, reservation.contextLockedUntil, now);
  rememberLock(memoryKey(kind, name, SHARED), reservation.sharedLockedUntil, now);
  return undefined;
}
