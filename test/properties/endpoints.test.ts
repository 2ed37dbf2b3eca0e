/**
 * Property-based proof over every endpoint (issue 10 point 11): at least 10,000 generated
 * requests per run, structurally plausible ones (the right parameters with altered values: other
 * clients, redirect URI tricks, broken PKCE, replayed and altered codes and tokens, broken client
 * authentication, wrong media types, repeated parameters) and plain garbage, sent through HTTP
 * only. Invariants, checked on every answer:
 * - never a 5xx (DESIGN "Errors": bad input never yields a 500);
 * - no code, token, active introspection or admin answer from an invalid request (RFC 6749
 *   §4.1.2.1, §5.2; RFC 7662 §4; RFC 6750 §3.1), a code redeemed at most once (§4.1.2) and a
 *   refresh token rotated at most once (RFC 9700 §4.14.2);
 * - never a redirect to anything but a registered redirect URI of the request's client (RFC 9700
 *   §4.1, §4.11; RFC 6749 §4.1.2.1: a bad client or redirect URI gets a page, not a redirect);
 * - after the run, no secret it produced or saw is stored in clear in any KV namespace.
 * The seed is fixed; FC_SEED=<n> npm test replays another, and a failure names its seed.
 */
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { expect, inject, it } from "vitest";
import { ORIGIN } from "../helpers/http";
import { secretsInClear, storedEntries } from "../helpers/stored-secrets";
import { type Sent, describe as describeDraft, toRequest } from "./draft";
import { authorizeProbe, authorizeRecipe } from "./probes-authorize";
import { formProbe, formRecipe } from "./probes-forms";
import { tokenProbe, tokenRecipe, tokenUseProbe, tokenUseRecipe } from "./probes-client";
import { adminProbe, adminRecipe, garbageProbe, garbageRecipe, publicProbe, publicRecipe, registerProbe, registerRecipe } from "./probes-misc";
import { type World, addSecret, buildWorld, carriesCode, isOwnPage, isRegisteredTarget } from "./world";

declare module "vitest" {
  interface ProvidedContext {
    fcSeed: string;
  }
}

const DEFAULT_SEED = 20261130;
const seed = /^-?\d+$/.test(inject("fcSeed")) ? Number(inject("fcSeed")) : DEFAULT_SEED;
const REQUESTS = 10_000;
/** Requests sent at once: enough to overlap on the grants' Durable Objects, few enough for 2 cores. */
const BATCH = 25;

/** One generated request: which kind, and its recipe (printed as the counterexample). */
const probe = fc.oneof(
  { weight: 18, arbitrary: authorizeRecipe.map((r) => ({ kind: "authorize" as const, r })) },
  { weight: 3, arbitrary: formRecipe.map((r) => ({ kind: "login" as const, r })) },
  { weight: 4, arbitrary: formRecipe.map((r) => ({ kind: "consent" as const, r })) },
  { weight: 24, arbitrary: tokenRecipe.map((r) => ({ kind: "token" as const, r })) },
  { weight: 20, arbitrary: tokenUseRecipe.map((r) => ({ kind: "token-use" as const, r })) },
  { weight: 6, arbitrary: registerRecipe.map((r) => ({ kind: "register" as const, r })) },
  { weight: 4, arbitrary: publicRecipe.map((r) => ({ kind: "public" as const, r })) },
  { weight: 7, arbitrary: adminRecipe.map((r) => ({ kind: "admin" as const, r })) },
  { weight: 14, arbitrary: garbageRecipe.map((r) => ({ kind: "garbage" as const, r })) },
);

function materialize(world: World, p: Probe): Sent {
  switch (p.kind) {
    case "authorize":
      return authorizeProbe(world, p.r);
    case "login":
    case "consent":
      return formProbe(world, p.kind, p.r);
    case "token":
      return tokenProbe(world, p.r);
    case "token-use":
      return tokenUseProbe(world, p.r);
    case "register":
      return registerProbe(world, p.r);
    case "public":
      return publicProbe(p.r);
    case "admin":
      return adminProbe(world, p.r);
    case "garbage":
      return garbageProbe(p.r);
  }
}

type Probe = typeof probe extends fc.Arbitrary<infer T> ? T : never;

/** What the run saw, so that a run whose invariants held only vacuously fails too. */
interface Tally {
  sent: number;
  statuses: Record<string, number>;
  codesIssued: number;
  tokensIssued: number;
}

async function send(s: Sent): Promise<{ res: Response; text: string }> {
  const { url, init } = toRequest(s.d, ORIGIN);
  const res = s.via ? await s.via(url, init) : await exports.default.fetch(new Request(url, init));
  return { res, text: await res.text() };
}

/** The invariants every answer must satisfy; a violation's description, or null. */
function judge(world: World, tally: Tally, s: Sent, res: Response, text: string): string | null {
  tally.sent++;
  const statusKey = `${s.d.path.split("?")[0]?.slice(0, 24)} ${res.status}`;
  tally.statuses[statusKey] = (tally.statuses[statusKey] ?? 0) + 1;
  if (res.status >= 500) return `a ${res.status}: ${text.slice(0, 300)}`;
  const location = res.headers.get("Location");
  if (location !== null) {
    if (carriesCode(location)) {
      if (!s.mayIssueCode) return `a code in a redirect answering an invalid request: ${location}`;
      const code = new URL(location).searchParams.get("code") ?? "";
      tally.codesIssued++;
      addSecret(world, "code", code);
      s.onCode?.(code);
    }
    const registered = s.redirectClients.some((c) => isRegisteredTarget(c, location));
    if (!registered && !(isOwnPage(location) && !carriesCode(location))) {
      return `a redirect to ${location}, not a registered redirect URI of the request's client`;
    }
  }
  for (const cookie of res.headers.getSetCookie()) {
    addSecret(world, "cookie", /^[^=]*=([^;]{16,})/.exec(cookie)?.[1]);
  }
  try {
    const violation = s.check?.(res, text) ?? null;
    if (violation === null && s.d.path.startsWith("/token") && res.status === 200) tally.tokensIssued++;
    return violation;
  } catch (err) {
    return `an answer that could not be read (${res.status}): ${String(err)} ${text.slice(0, 200)}`;
  }
}

it(`${REQUESTS} generated requests across every endpoint: no 5xx, nothing issued from invalid input, no redirect off the registered URIs, no secret stored in clear`, async () => {
  const world = await buildWorld();
  const tally: Tally = { sent: 0, statuses: {}, codesIssued: 0, tokensIssued: 0 };
  const started = Date.now();
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(probe, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        const probes = batch.map((p) => materialize(world, p));
        const answers = await Promise.all(probes.map(send));
        answers.forEach(({ res, text }, i) => {
          const s = probes[i] as Sent;
          const violation = judge(world, tally, s, res, text);
          if (violation !== null) throw new Error(`${violation}\n  request: ${describeDraft(s.d)}`);
        });
      }),
      // The server keeps state between runs (codes used, grants revoked), so shrinking would
      // replay against another state: the first failure is reported as it happened.
      { seed, numRuns: REQUESTS / BATCH, endOnFailure: true },
    );
  } catch (err) {
    const cause = err instanceof Error && err.cause !== undefined ? `\n${String(err.cause)}` : "";
    // Long generated values are shown by their length, so that the report stays readable.
    const report = `${String(err)}${cause}`.replace(/(.)\1{40,}/g, (run, ch: string) => `${ch}×${run.length}`);
    throw new Error(`Property failed with FC_SEED=${seed} (replay: FC_SEED=${seed} npm test)\n${report}`);
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `fast-check seed ${seed}: ${tally.sent} requests in ${seconds.toFixed(1)} s; codes issued ${tally.codesIssued}, token responses ${tally.tokensIssued}`,
    JSON.stringify(tally.statuses),
  );
  expect(tally.sent).toBeGreaterThanOrEqual(REQUESTS);
  // The invariants bite only if valid requests were among the generated ones and succeeded.
  expect(tally.codesIssued).toBeGreaterThan(0);
  expect(tally.tokensIssued).toBeGreaterThan(0);
  for (const success of ["/userinfo 200", "/api/me 200", "/introspect 200", "/revoke 200", "/register 201", "/admin/clients 201"]) {
    expect(tally.statuses[success] ?? 0, success).toBeGreaterThan(0);
  }

  const stored = await storedEntries();
  expect(stored.length).toBeGreaterThan(0);
  expect(secretsInClear(stored, world.secrets)).toEqual([]);
}, 300_000);
