import { describe, expect, it } from "vitest";
import { obtainCode } from "../helpers/browser";
import { type TokenResponseBody, exchangeCode, refresh } from "../helpers/codes";
import { type TestClient, createClient, createPublicClient, createUser } from "../helpers/fixtures";
import { isActive, postAsClient, startGrant } from "../helpers/grants";

const N = 200;

/** Counts outcomes of simultaneous requests by status and error code; keeps the successes. */
async function outcomes(
  responses: Response[],
): Promise<{ counts: Record<string, number>; tokens: TokenResponseBody[] }> {
  const counts: Record<string, number> = {};
  const tokens: TokenResponseBody[] = [];
  for (const res of responses) {
    const body = (await res.json()) as TokenResponseBody & { error?: string };
    const key = res.status === 200 ? "ok" : `${res.status} ${body.error}`;
    counts[key] = (counts[key] ?? 0) + 1;
    if (res.status === 200) tokens.push(body);
  }
  return { counts, tokens };
}

const refreshClient = (): Promise<TestClient> =>
  createPublicClient({ grant_types: ["authorization_code", "refresh_token"] });

describe("the user's Durable Object decides once, whatever the concurrency", () => {
  it(`gives exactly one success to ${N} simultaneous redemptions of one code, and the replays revoke its grant`, async () => {
    const client = await createClient();
    const minted = await obtainCode(client, await createUser());
    const responses = await Promise.all(
      Array.from({ length: N }, () => exchangeCode(client, minted)),
    );
    const { counts, tokens } = await outcomes(responses);
    expect(counts).toEqual({ ok: 1, "400 invalid_grant": N - 1 });
    // RFC 9700 §4.2.4: a code presented twice revokes what it issued, the winner's tokens too.
    expect(await isActive(tokens[0]?.access_token ?? "")).toBe(false);
  });

  it(`rotates once for ${N} simultaneous refreshes by a confidential client: all get the same successor, which stays valid`, async () => {
    const { client, refreshToken } = await startGrant();
    const responses = await Promise.all(
      Array.from({ length: N }, () => refresh(client, refreshToken)),
    );
    const { counts, tokens } = await outcomes(responses);
    // The first rotates; the other N-1 are retries of the just-rotated token within the grace.
    expect(counts).toEqual({ ok: N });
    const successors = new Set(tokens.map((t) => t.refresh_token));
    expect(successors.size).toBe(1);
    const [successor] = [...successors];
    expect(successor).not.toBe(refreshToken);
    expect(await isActive(tokens[0]?.access_token ?? "")).toBe(true);
    expect(await isActive(tokens[N - 1]?.access_token ?? "")).toBe(true);
    const next = (await (await refresh(client, successor ?? "")).json()) as TokenResponseBody;
    expect(next.refresh_token).toBeTruthy();
  });

  it(`gives exactly one success to ${N} simultaneous refreshes by a public client, and the reuse revokes the grant`, async () => {
    const client = await refreshClient();
    const { refreshToken } = await startGrant({ client });
    const responses = await Promise.all(
      Array.from({ length: N }, () => refresh(client, refreshToken)),
    );
    const { counts, tokens } = await outcomes(responses);
    expect(counts).toEqual({ ok: 1, "400 invalid_grant": N - 1 });
    // A public client cannot prove the replays were its own (RFC 9700 §4.14.2): no fork, no
    // survivor; the winner's successor is revoked with the grant.
    const res = await refresh(client, tokens[0]?.refresh_token ?? "");
    expect(res.status).toBe(400);
    expect(await isActive(tokens[0]?.access_token ?? "")).toBe(false);
  });

  it("ends the grant whichever wins when a refresh races the token's revocation", async () => {
    for (let i = 0; i < 10; i++) {
      const { client, refreshToken, accessToken } = await startGrant();
      const [refreshed, revoked] = await Promise.all([
        refresh(client, refreshToken),
        postAsClient("/revoke", client, { token: refreshToken }),
      ]);
      expect(revoked.status).toBe(200);
      // Either order ends in a revoked grant: revocation first refuses the refresh; refresh
      // first rotates, and revoking the just-rotated token then ends the grant with its successor.
      const body = (await refreshed.json()) as TokenResponseBody & { error?: string };
      if (refreshed.status === 200) {
        const again = await refresh(client, body.refresh_token ?? "");
        expect(again.status).toBe(400);
        expect(await isActive(body.access_token)).toBe(false);
      } else {
        expect({ status: refreshed.status, error: body.error }).toEqual({
          status: 400,
          error: "invalid_grant",
        });
      }
      expect(await isActive(accessToken)).toBe(false);
    }
  });
});
