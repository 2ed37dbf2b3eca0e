/**
 * The device cookie: proof that this browser has signed in as a username before, so that its
 * password attempts for that username count under the device and not under the counters a
 * guesser elsewhere can lock (NIST SP 800-63B §5.2.2; the policy is in ./throttle-policy.ts).
 * It is sealed (authenticated encryption, src/crypto/seal.ts) with the deployment's key, so it
 * can be neither forged nor read, and it holds only normalised usernames with a random device id
 * each. It grants nothing but a separate throttle counter: the password is still checked.
 */
import type { Context } from "hono";
import { seal, unseal } from "../../crypto/seal";
import { randomToken } from "../../crypto/random";
import type { AppEnv } from "../../http/app-env";
import { readCookie, writeCookie } from "../../http/cookies";
import { getSealKey } from "../../storage/keys";
import { normaliseUsername } from "../../storage/users";
import { DEVICE_COOKIE_TTL_SECONDS, MAX_DEVICE_USERNAMES } from "../../storage/throttle-policy";

/** One username this browser signed in as, and the id its attempts count under. */
interface DeviceEntry {
  u: string;
  d: string;
}

async function readEntries(c: Context<AppEnv>): Promise<DeviceEntry[]> {
  const cookie = readCookie(c, "device");
  if (!cookie) return [];
  const opened = await unseal<{ e?: unknown }>(await getSealKey(c.get("stores")), "device", cookie);
  if (!opened || !Array.isArray(opened.e)) return [];
  return opened.e.filter(
    (e): e is DeviceEntry =>
      typeof e === "object" && e !== null && typeof e.u === "string" && typeof e.d === "string",
  );
}

/** The device id this browser holds for `username`, or undefined when it holds none. */
export async function deviceFor(c: Context<AppEnv>, username: string): Promise<string | undefined> {
  const name = normaliseUsername(username);
  return (await readEntries(c)).find((e) => e.u === name)?.d;
}

/**
 * After a successful sign-in: (re)issues the cookie with `username` first, keeping its device id
 * when the browser already had one, and renews its lifetime.
 */
export async function rememberDevice(c: Context<AppEnv>, username: string): Promise<void> {
  const name = normaliseUsername(username);
  const entries = await readEntries(c);
  const device = entries.find((e) => e.u === name)?.d ?? randomToken(16);
  const next = [{ u: name, d: device }, ...entries.filter((e) => e.u !== name)].slice(
    0,
    MAX_DEVICE_USERNAMES,
  );
  const value = await seal(
    await getSealKey(c.get("stores")),
    "device",
    { e: next },
    DEVICE_COOKIE_TTL_SECONDS,
  );
  writeCookie(c, "device", value, DEVICE_COOKIE_TTL_SECONDS);
}
