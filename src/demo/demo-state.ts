/**
 * What the demo client application remembers between its steps: the pending authorization
 * request (state, PKCE verifier, nonce) and then the tokens. A real client keeps these in its
 * server-side session; the demo keeps them in one cookie sealed with the deployment's key
 * (authenticated encryption, src/crypto/seal.ts), so the browser carries them but can neither
 * read nor alter them, and the demo needs no storage write and no clean-up. The page shows tokens
 * only where a step explains them.
 */
import type { Context } from "hono";
import * as v from "valibot";
import { seal, unseal } from "../crypto/seal";
import type { AppEnv } from "../http/app-env";
import { readCookie, writeCookie } from "../http/cookies";
import { getSealKey } from "../storage/keys";

/** One demo run lasts at most an hour; then the visitor starts again from the landing page. */
const DEMO_STATE_TTL = 3600;

const Text = v.pipe(v.string(), v.minLength(1), v.maxLength(4096));

const DemoStateSchema = v.object({
  /** The client this run belongs to (a re-seeded client makes older runs stale). */
  clientId: Text,
  /** The anti-CSRF token the run's forms carry (src/http/csrf.ts, "ticket" side). */
  csrf: Text,
  /** Between the redirect to /authorize and the callback (RFC 6749 §4.1.1, RFC 7636 §4.1). */
  pending: v.optional(v.object({ state: Text, nonce: Text, verifier: Text })),
  /** After the code exchange. `previousRefresh` is the token the last refresh rotated away. */
  tokens: v.optional(
    v.object({ access: Text, refresh: v.optional(Text), previousRefresh: v.optional(Text) }),
  ),
});

export type DemoState = v.InferOutput<typeof DemoStateSchema>;

/** The run's state, or null when there is none (or it expired, or was sealed for another key). */
export async function readDemoState(c: Context<AppEnv>): Promise<DemoState | null> {
  const sealed = readCookie(c, "demo");
  if (sealed === undefined) return null;
  const opened = await unseal(await getSealKey(c.get("stores")), "demo_state", sealed);
  const parsed = v.safeParse(DemoStateSchema, opened?.run);
  return parsed.success ? parsed.output : null;
}

export async function writeDemoState(c: Context<AppEnv>, state: DemoState): Promise<void> {
  const keys = await getSealKey(c.get("stores"));
  const sealed = await seal(keys, "demo_state", { run: state }, DEMO_STATE_TTL);
  writeCookie(c, "demo", sealed, DEMO_STATE_TTL);
}
