import type { Context } from "hono";
import { randomToken } from "../crypto/random";
import { seal, unseal } from "../crypto/seal";
import { OAuthError } from "../protocol/errors";
import { getSealKey } from "../storage/keys";
import { checkSession, endSessions, recordSession } from "../storage/sessions";
import type { AppEnv } from "./app-env";
import { readCookie, writeCookie } from "./cookies";

/**
 * A Gatehouse login session: who signed in, when (OIDC `auth_time`) and how (`amr`, `acr`;
 * OIDC Core §2). Started only by completeLogin (src/auth/complete-login.ts).
 */
export interface Session {
  sub: string;
  /**
   * The session's id (128 random bits): names its record in the user's Durable Object, and is
   * the `sid` of OpenID Connect Back-Channel Logout 1.0 §2.4.
   */
  sid: string;
  /** Seconds since the epoch. */
  authTime: number;
  /**
   * RFC 8176 authentication method references ("pwd", …). Absent in sessions started before
   * Gatehouse recorded them: the ID token then carries no `amr` rather than a guessed one.
   */
  amr?: string[];
  /** Authentication context class reference, when the method states one. */
  acr?: string;
}

type SealedSession = {
  sub: string;
  sid: string;
  auth_time: number;
  amr?: unknown;
  acr?: unknown;
  /** When the user's object last confirmed that the session exists. */
  checked_at: number;
  /** Set by seal(): the cookie's end. */
  exp?: number;
};

interface OpenedCookie {
  session: Session;
  checkedAt: number;
  /** The cookie's end (SESSION_TTL after sign-in), kept when it is re-sealed. */
  expiresAt: number;
}

/** The deployment's sealing key, from the isolate's key cache (src/storage/keys.ts). */
const sealKeyOf = (c: Context<AppEnv>) => getSealKey(c.get("stores"));

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** What one request has read of its session: asked once however many layers ask. */
const readThisRequest = new WeakMap<Request, Promise<Session | null>>();

/**
 * The browser's session. The session lives in a cookie sealed with the deployment's key
 * (authenticated encryption: integrity-protected and unreadable) and in a record in the user's
 * Durable Object, which can end it (admin API, password change, logout). The cookie says when
 * the record was last confirmed: within SESSION_CHECK_INTERVAL the cookie alone answers, so the
 * hot path makes no Durable Object call (DESIGN.md); after it, one call asks whether the session
 * still exists and re-seals the cookie, or the browser is signed out. An ended session therefore
 * lasts at most SESSION_CHECK_INTERVAL on a browser other than the one that ended it.
 *
 * A cookie without a sid (sealed before sessions had records) is not a session: its browser
 * signs in again, once. Whether the user still exists is checked by the caller.
 */
export function readSession(c: Context<AppEnv>): Promise<Session | null> {
  const known = readThisRequest.get(c.req.raw);
  if (known !== undefined) return known;
  const reading = revalidate(c);
  readThisRequest.set(c.req.raw, reading);
  return reading;
}

async function revalidate(c: Context<AppEnv>): Promise<Session | null> {
  const opened = await openCookie(c);
  if (opened === null) return null;
  const now = nowSeconds();
  const { checkedAt, session } = opened;
  if (checkedAt <= now && now - checkedAt < c.get("config").sessionCheckInterval) return session;
  if (!(await checkSession(c.get("stores"), session.sub, session.sid))) {
    clearSessionCookie(c);
    return null;
  }
  await writeSessionCookie(c, session, now, opened.expiresAt - now);
  return session;
}

/**
 * Starts a session for the user who just signed in: records it in the user's object (one call,
 * at sign-in only) and seals the cookie. The browser's previous session, if any, ends: signing in
 * always replaces it, and a record no browser holds must not be listed as live.
 */
export async function startSession(
  c: Context<AppEnv>,
  input: Omit<Session, "sid">,
): Promise<Session> {
  const previous = await openCookie(c);
  if (previous !== null) {
    await endSessions(c.get("stores"), previous.session.sub, previous.session.sid);
  }
  const ttl = c.get("config").sessionTtl;
  const now = nowSeconds();
  const session: Session = { ...input, sid: randomToken(16) };
  const userAgent = c.req.header("User-Agent")?.slice(0, 200);
  const recorded = await recordSession(c.get("stores"), session.sub, {
    sid: session.sid,
    createdAt: now,
    authTime: session.authTime,
    ...(session.amr === undefined ? {} : { amr: session.amr }),
    ...(session.acr === undefined ? {} : { acr: session.acr }),
    expiresAt: now + ttl,
    ...(userAgent ? { userAgent } : {}),
  });
  if (!recorded) {
    // The user was deleted while this sign-in was under way (another location's KV still knew it).
    throw new OAuthError("access_denied", "This account no longer exists", { status: 403 });
  }
  await writeSessionCookie(c, session, now, ttl);
  readThisRequest.set(c.req.raw, Promise.resolve(session));
  return session;
}

/**
 * Ends the browser's session: clears the cookie and deletes the record, so the session is over
 * at once here and, for any copy of the cookie, at its next check. Returns what it ended (null
 * when the browser had no session).
 */
export async function endSession(c: Context<AppEnv>): Promise<Session | null> {
  const opened = await openCookie(c);
  clearSessionCookie(c);
  readThisRequest.set(c.req.raw, Promise.resolve(null));
  if (opened === null) return null;
  await endSessions(c.get("stores"), opened.session.sub, opened.session.sid);
  return opened.session;
}

/** The cookie as sealed, without asking the user's object; null when absent or not a session. */
async function openCookie(c: Context<AppEnv>): Promise<OpenedCookie | null> {
  const cookie = readCookie(c, "session");
  if (!cookie) return null;
  const opened = await unseal<SealedSession>(await sealKeyOf(c), "session", cookie);
  if (
    !opened ||
    typeof opened.sub !== "string" ||
    typeof opened.sid !== "string" ||
    typeof opened.auth_time !== "number" ||
    typeof opened.checked_at !== "number" ||
    typeof opened.exp !== "number"
  ) {
    return null;
  }
  const { amr, acr } = opened;
  return {
    session: {
      sub: opened.sub,
      sid: opened.sid,
      authTime: opened.auth_time,
      ...(Array.isArray(amr) && amr.every((m) => typeof m === "string") ? { amr } : {}),
      ...(typeof acr === "string" ? { acr } : {}),
    },
    checkedAt: opened.checked_at,
    expiresAt: opened.exp,
  };
}

async function writeSessionCookie(
  c: Context<AppEnv>,
  session: Session,
  checkedAt: number,
  ttl: number,
): Promise<void> {
  const value = await seal(
    await sealKeyOf(c),
    "session",
    {
      sub: session.sub,
      sid: session.sid,
      auth_time: session.authTime,
      ...(session.amr === undefined ? {} : { amr: session.amr }),
      ...(session.acr === undefined ? {} : { acr: session.acr }),
      checked_at: checkedAt,
    },
    ttl,
  );
  writeCookie(c, "session", value, ttl);
}

function clearSessionCookie(c: Context<AppEnv>): void {
  writeCookie(c, "session", "", 0);
}
