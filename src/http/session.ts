import type { Context } from "hono";
import { seal, unseal } from "../crypto/seal";
import { getSealKey } from "../storage/keys";
import type { AppEnv } from "./app-env";
import { readCookie, writeCookie } from "./cookies";

/** A Gatehouse login session: who signed in, and when (OIDC `auth_time`). */
export interface Session {
  sub: string;
  /** Seconds since the epoch. */
  authTime: number;
}

type SealedSession = { sub: string; auth_time: number };

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
  return { sub: opened.sub, authTime: opened.auth_time };
}

export async function startSession(c: Context<AppEnv>, session: Session): Promise<void> {
  const ttl = c.get("config").sessionTtl;
  const value = await seal(
    await sealKeyOf(c),
    "session",
    { sub: session.sub, auth_time: session.authTime },
    ttl,
  );
  writeCookie(c, "session", value, ttl);
}
