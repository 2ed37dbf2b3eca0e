import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { sha256 } from "../../src/crypto/hash";
import { usersWithGrantsOf } from "../../src/storage/client-grants";
import { obtainCode } from "../helpers/browser";
import { expectTokens, exchangeCode, refresh } from "../helpers/codes";
import { createClient, createUser } from "../helpers/fixtures";

/** Every key of the TOKENS namespace, with its value and metadata. */
async function tokensNamespace(): Promise<{ name: string; value: string | null; metadata: unknown }[]> {
  const entries = [];
  let cursor: string | undefined;
  do {
    const page = await env.TOKENS.list(cursor === undefined ? {} : { cursor });
    for (const key of page.keys) {
      entries.push({ name: key.name, value: await env.TOKENS.get(key.name), metadata: key.metadata });
    }
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor !== undefined);
  return entries;
}

describe("the client-grant records in KV (who holds a client's grants)", () => {
  it("records each grant once at the code exchange, with its user and nothing secret", async () => {
    const client = await createClient();
    const user = await createUser();
    const minted = await obtainCode(client, user);
    const tokens = await expectTokens(await exchangeCode(client, minted));
    const refreshToken = tokens.refresh_token ?? "";

    const stored = await tokensNamespace();
    expect(stored).toEqual([
      {
        name: `client-grant:${client.client_id}:${decodeJwt(tokens.access_token).grant_id}`,
        value: "",
        metadata: { sub: user.sub },
      },
    ]);
    const secretParts = [refreshToken, refreshToken.split(".")[2] ?? "", await sha256(refreshToken)];
    for (const secret of secretParts) {
      expect(JSON.stringify(stored)).not.toContain(secret);
    }
    expect(await usersWithGrantsOf(env, client.client_id)).toEqual([user.sub]);
  });

  it("writes nothing to KV at a refresh", async () => {
    const client = await createClient();
    const minted = await obtainCode(client, await createUser());
    const tokens = await expectTokens(await exchangeCode(client, minted));
    const before = await tokensNamespace();
    await expectTokens(await refresh(client, tokens.refresh_token ?? ""));
    expect(await tokensNamespace()).toEqual(before);
  });

  it("lists each user once, however many grants they hold with the client", async () => {
    const client = await createClient();
    const [ada, bob] = [await createUser(), await createUser()];
    for (const user of [ada, bob, ada]) {
      await expectTokens(await exchangeCode(client, await obtainCode(client, user)));
    }
    expect((await usersWithGrantsOf(env, client.client_id)).sort()).toEqual(
      [ada.sub, bob.sub].sort(),
    );
  });
});
