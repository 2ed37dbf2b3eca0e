import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type TokenResponseBody, exchangeCode, mintCode, refresh } from "../helpers/codes";
import { createClient, createUser } from "../helpers/fixtures";

const N = 50;

/** Counts outcomes of simultaneous requests by status and error code. */
async function outcomes(responses: Response[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const res of responses) {
    const body = (await res.json()) as { error?: string };
    const key = res.status === 200 ? "ok" : `${res.status} ${body.error}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe("the grant's Durable Object decides once, whatever the concurrency", () => {
  it(`gives exactly one success to ${N} simultaneous redemptions of one code`, async () => {
    const client = await createClient();
    const minted = await mintCode(env, client, await createUser());
    const responses = await Promise.all(
      Array.from({ length: N }, () => exchangeCode(client, minted)),
    );
    expect(await outcomes(responses)).toEqual({ ok: 1, "400 invalid_grant": N - 1 });
  });

  it(`gives exactly one success to ${N} simultaneous refreshes with one refresh token`, async () => {
    const client = await createClient();
    const minted = await mintCode(env, client, await createUser());
    const first = (await (await exchangeCode(client, minted)).json()) as TokenResponseBody;
    const refreshToken = first.refresh_token ?? "";
    expect(refreshToken).toBeTruthy();
    const responses = await Promise.all(
      Array.from({ length: N }, () => refresh(client, refreshToken)),
    );
    expect(await outcomes(responses)).toEqual({ ok: 1, "400 invalid_grant": N - 1 });
  });
});
