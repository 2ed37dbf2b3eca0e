import type { Context } from "hono";
import { seal, unseal } from "../crypto/seal";
import { getSealKey } from "../storage/keys";
import type { AppEnv } from "./app-env";
import { readCookie, writeCookie } from "./cookies";

/**
 * A Gatehouse login session: who signed in, when (OIDC `auth_time`) and how (`amr`, `acr`;
 * OIDC Core §2). Started only by completeLogin (src/auth/complete-login.ts).
 */
export interface Session {
  sub: string;
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

type SealedSession = { sub: string; auth_time: number; amr?: unknown; acr?: unknown };

/** The deployment's sealing key, from the isolate's key cache (src/storage/keys.ts). */
const sealKeyOf = (c: Context<AppEnv>) => getSealKey(c.get("stores"));

/**
 * The session lives in a cookie sealed with the deployment's key (authenticated encryption:
 * integrity-protected and unreadable), so no storage read is needed to recognise a returning
 * user. It expires after SESSION_TTL. Whether the user still exists is checked by the caller.
 */
export async function readSession(c: Context<AppEnv>): Promise<Session | null> {
  const cookie = readCookie(c, "session");
  if (!cookie) return null;
  const opened = await unseal<SealedSession>(await sealKeyOf(c), "session", cookie);
  if (!opened || typeof opened.sub !== "string" || typeof opened.auth_time !== "number") {
    return null;
  }
  const { amr, acr } = opened;
  return {
    sub: opened.sub,
    authTime: opened.auth_time,
    ...(Array.isArray(amr) && amr.every((m) => typeof m === "string") ? { amr } : {}),
    ...(typeof acr === "string" ? { acr } : {}),
  };
}

export async function startSession(c: Context<AppEnv>, session: Session): Promise<void> {
  const ttl = c.get("config").sessionTtl;
  const value = await seal(
    await sealKeyOf(c),
    "session",
    {
      sub: session.sub,
      auth_time: session.authTime,
      ...(session.amr === undefined ? {} : { amr: session.amr }),
      ...(session.acr === undefined ? {} : { acr: session.acr }),
    },
    ttl,
  );
  writeCookie(c, "session", value, ttl);
}

/**
 * Ends the browser's Gatehouse session: clears the session cookie and returns the session it
 * ended (null when there was none). The cookie is cleared on the response built through `c`
 * (c.redirect, c.html, …), so the caller must answer through the context. A sealed cookie cannot
 * be recalled from the browser: a copy taken before stays valid until it expires (SESSION_TTL),
 * which server-side sessions close.
 */
export async function endSession(c: Context<AppEnv>): Promise<Session | null> {
  const session = await readSession(c);
  writeCookie(c, "session", "", 0);
  return session;
}
