import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { randomToken } from "../../src/crypto/random";
import type { RefreshTokenRecord } from "../../src/storage/refresh-tokens";
import { expectTokenError, expectTokens, exchangeCode, mintCode, refresh } from "../helpers/codes";
import { createClient, createUser } from "../helpers/fixtures";

/** Every record of the advisory KV index that names `grantId`. */
async function indexedFor(grantId: string): Promise<RefreshTokenRecord[]> {
  const found: RefreshTokenRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.TOKENS.list({ prefix: "refresh:", ...(cursor ? { cursor } : {}) });
    for (const key of page.keys) {
      const record = await env.TOKENS.get<RefreshTokenRecord>(key.name, "json");
      if (record?.grantId === grantId) found.push(record);
    }
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return found;
}

describe("the refresh-token KV index", () => {
  it("holds exactly the live refresh token of a grant, following rotation", async () => {
    const client = await createClient();
    const user = await createUser();
    const minted = await mintCode(env, client, user);
    const tokens = await expectTokens(await exchangeCode(client, minted));
    expect(await indexedFor(minted.payload.grantId)).toHaveLength(1);
    await expectTokens(await refresh(client, tokens.refresh_token as string));
    expect(await indexedFor(minted.payload.grantId)).toHaveLength(1);
  });

  it("costs no write for a made-up refresh token", async () => {
    const client = await createClient();
    const grantId = randomToken(16);
    await expectTokenError(await refresh(client, `${grantId}.${randomToken(32)}`), "invalid_grant");
    expect(await indexedFor(grantId)).toEqual([]);
  });
});
