// Typed calls to a user's Durable Object (src/storage/user-object.ts) about the user's browser
// sessions, named by the user's `sub`. Each function is exactly one round trip.
import type { SessionRecord } from "./session-table";
import type { Stores } from "./stores";

export type { SessionRecord } from "./session-table";

// Subjects are randomToken(16); anything else cannot name a user (nor create an object).
const SUB_SHAPE = /^[A-Za-z0-9_-]{1,64}$/;

function userObject(stores: Stores, sub: string) {
  if (!SUB_SHAPE.test(sub)) throw new Error("Not a subject identifier");
  return stores.USER_OBJECTS.getByName(sub);
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Records a new session at sign-in; false when the user was deleted (the object is closed). */
export async function recordSession(
  stores: Stores,
  sub: string,
  session: Omit<SessionRecord, "lastSeenAt">,
): Promise<boolean> {
  return userObject(stores, sub).startSession(session, nowSeconds());
}

/**
 * Whether the session still exists (not ended, not expired), marking it seen: the re-validation
 * of a session cookie whose check is older than SESSION_CHECK_INTERVAL.
 */
export async function checkSession(stores: Stores, sub: string, sid: string): Promise<boolean> {
  if (!SUB_SHAPE.test(sub)) return false;
  return userObject(stores, sub).checkSession(sid, nowSeconds());
}

/** The user's live sessions, oldest first. */
export async function listSessions(stores: Stores, sub: string): Promise<SessionRecord[]> {
  return userObject(stores, sub).listSessions(nowSeconds());
}

/** Ends one session (or, without `sid`, every one); returns the live sessions it ended. */
export async function endSessions(
  stores: Stores,
  sub: string,
  sid?: string,
): Promise<SessionRecord[]> {
  if (!SUB_SHAPE.test(sub)) return [];
  return userObject(stores, sub).endSessions(nowSeconds(), sid);
}
