/**
 * Races on one grant, each with its exact expected outcome (issue 10 point 11), driven only
 * through HTTP: codes come from /authorize (login and consent pages filled in), tokens from
 * /token. Every simultaneous request comes from its own address (testAddress), as a swarm of
 * clients or attackers would, so that per-address throttling never decides an outcome here: the
 * grant alone does.
 */
import { describe, expect, it } from "vitest";
import { TestBrowser } from "../helpers/browser";
import { type TestClient, createClient, createPublicClient, createUser } from "../helpers/fixtures";
import {
  answers,
  obtainCode,
  obtainTokens,
  redeem,
  refreshAs,
  revokeAs,
  tally,
  testAddress,
  userinfo,
} from "../helpers/flow";

const N = 200;

/** The one successful answer among `list`, with its tokens. */
function winner(list: Awaited<ReturnType<typeof answers>>) {
  const ok = list.filter((a) => a.status === 200);
  expect(ok).toHaveLength(1);
  const body = ok[0]?.body;
  expect(body?.access_token).toBeTruthy();
  return { accessToken: body?.access_token ?? "", refreshToken: body?.refresh_token ?? "" };
}

/** The grant has ended: its refresh token is refused and its access token is no longer served. */
async function expectGrantEnded(client: TestClient, tokens: { accessToken: string; refreshToken: string }) {
  const again = await answers([await refreshAs(client, tokens.refreshToken, testAddress(60_000))]);
  expect(tally(again)).toEqual({ "400 invalid_grant": 1 });
  expect((await userinfo(tokens.accessToken)).status).toBe(401);
}

/** Hundreds of requests through one workerd on a small machine: seconds, not milliseconds. */
const RACE_TIMEOUT_MS = 120_000;

describe("one code redeemed many times at once", () => {
  // RFC 6749 §4.1.2 ("MUST NOT be used more than once … SHOULD revoke … all tokens previously
  // issued based on that authorization code"), RFC 9700 §4.2.4; DESIGN: "A code presented twice
  // is refused, and the tokens already issued from it are revoked."
  it(`${N} simultaneous redemptions: exactly one 200, ${N - 1} invalid_grant, then the winner's tokens are revoked`, { timeout: RACE_TIMEOUT_MS }, async () => {
    const client = await createClient();
    const issued = await obtainCode(client, await createUser());
    const list = await answers(
      await Promise.all(Array.from({ length: N }, (_, i) => redeem(issued, testAddress(i)))),
    );
    expect(tally(list)).toEqual({ ok: 1, "400 invalid_grant": N - 1 });
    const tokens = winner(list);
    expect(tokens.refreshToken).toBeTruthy();
    await expectGrantEnded(client, tokens);
  });
});

describe("one refresh token of a public client used many times at once", () => {
  // RFC 9700 §4.14.2: a public client's rotated refresh token presented again may be a thief's;
  // issue 10 point 5: "any reuse by a public client still revokes the whole grant". Exactly one
  // rotation (no fork into two live successors); the N - 1 losers are reuse of the rotated token,
  // so the grant ends and the winner's new refresh token is refused too.
  it(`${N} simultaneous refreshes: exactly one 200, ${N - 1} invalid_grant, then the grant is revoked`, { timeout: RACE_TIMEOUT_MS }, async () => {
    const client = await createPublicClient();
    const first = await obtainTokens(client, await createUser());
    const refreshToken = first.refresh_token ?? "";
    expect(refreshToken).toBeTruthy();
    const list = await answers(
      await Promise.all(
        Array.from({ length: N }, (_, i) => refreshAs(client, refreshToken, testAddress(i))),
      ),
    );
    expect(tally(list)).toEqual({ ok: 1, "400 invalid_grant": N - 1 });
    const tokens = winner(list);
    expect(tokens.refreshToken).toBeTruthy();
    expect(tokens.refreshToken).not.toBe(refreshToken);
    await expectGrantEnded(client, tokens);
    expect((await userinfo(first.access_token)).status).toBe(401);
  });
});

describe("one refresh token of a confidential client retried many times at once", () => {
  // RFC 9700 §4.14.2 with Gatehouse's retry grace: a confidential client retrying with the
  // immediately previous refresh token within REFRESH_TOKEN_REUSE_GRACE (30 s) gets the same
  // successor again, so every success carries one and the same refresh token, live afterwards.
  it(`${N} simultaneous refreshes: every success returns the same refresh token, which then works`, { timeout: RACE_TIMEOUT_MS }, async () => {
    const client = await createClient();
    const first = await obtainTokens(client, await createUser());
    const refreshToken = first.refresh_token ?? "";
    const list = await answers(
      await Promise.all(
        Array.from({ length: N }, (_, i) => refreshAs(client, refreshToken, testAddress(i))),
      ),
    );
    const successors = new Set(list.filter((a) => a.status === 200).map((a) => a.body?.refresh_token));
    expect(successors.size).toBe(1);
    const [successor] = [...successors];
    expect(successor).toBeTruthy();
    expect(successor).not.toBe(refreshToken);
    const next = await answers([await refreshAs(client, successor ?? "", testAddress(60_001))]);
    expect(tally(next)).toEqual({ ok: 1 });
  });
});

describe("a refresh racing the revocation of the same refresh token", () => {
  // RFC 7009 §2.1: revoking a refresh token ends its grant; RFC 9700 §4.14.2: rotation. Whatever
  // the order the grant's Durable Object sees them in, exactly two outcomes are allowed:
  // - the revocation first: the refresh is refused (invalid_grant);
  // - the refresh first: it succeeds, and the revocation of the token it rotated still ends the
  //   grant, successor included.
  // Either way the revocation answers 200 and the grant is dead afterwards.
  const ROUNDS = 24;

  it(`${ROUNDS} rounds, public and confidential clients: only the allowed outcomes, and the grant always ends`, { timeout: RACE_TIMEOUT_MS }, async () => {
    const user = await createUser();
    const clients = [await createPublicClient(), await createClient()];
    // One browser keeps the session and the remembered consents: each round's code is issued
    // without another password check.
    const browser = new TestBrowser();
    const seen: Record<string, number> = {};
    for (let round = 0; round < ROUNDS; round++) {
      const client = clients[round % clients.length] as TestClient;
      const first = await obtainTokens(client, user, browser);
      const refreshToken = first.refresh_token ?? "";
      // Both requests start together; which one is started first alternates, so that both
      // orders reach the grant over the rounds.
      const start = {
        refresh: () => refreshAs(client, refreshToken, testAddress(2 * round)),
        revoke: () => revokeAs(client, refreshToken, testAddress(2 * round + 1)),
      };
      const [refreshed, revoked] = await answers(
        round % 4 < 2
          ? await Promise.all([start.refresh(), start.revoke()])
          : await Promise.all([start.revoke(), start.refresh()]).then(([b, a]) => [a, b]),
      );
      expect(revoked?.status, `round ${round}: revocation`).toBe(200);
      const outcome = tally([refreshed as NonNullable<typeof refreshed>]);
      const refreshWon = refreshed?.status === 200;
      expect([{ ok: 1 }, { "400 invalid_grant": 1 }], `round ${round}`).toContainEqual(outcome);
      const key = refreshWon ? "refresh first" : "revocation first";
      seen[key] = (seen[key] ?? 0) + 1;

      await expectGrantEnded(client, { accessToken: first.access_token, refreshToken });
      if (refreshWon) {
        await expectGrantEnded(client, {
          accessToken: refreshed?.body?.access_token ?? "",
          refreshToken: refreshed?.body?.refresh_token ?? "",
        });
      }
    }
    // Which orders occurred is up to the scheduler; both are checked whenever they occur.
    console.log(`refresh racing revocation, ${ROUNDS} rounds:`, JSON.stringify(seen));
    expect(Object.values(seen).reduce((a, b) => a + b, 0)).toBe(ROUNDS);
  });
});
