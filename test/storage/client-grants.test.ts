import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sha256 } from "../../src/crypto/hash";
import { RECORD_SLACK_SECONDS, usersWithGrantsOf } from "../../src/storage/client-grants";
import { obtainCode } from "../helpers/browser";
import { expectTokens, exchangeCode, refresh } from "../helpers/codes";
import { countedBindings } from "../helpers/counted-bindings";
import { deployment } from "../helpers/deployment";
import { createClient, createUser } from "../helpers/fixtures";

afterEach(() => {
  vi.useRealTimers();
});

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
  it("records the user of a client's grant at the code exchange, with nothing secret", async () => {
    const client = await createClient();
    const user = await createUser();
    const minted = await obtainCode(client, user);
    const tokens = await expectTokens(await exchangeCode(client, minted));
    const refreshToken = tokens.refresh_token ?? "";

    const stored = await tokensNamespace();
    expect(stored).toEqual([
      { name: `client-grant:${client.client_id}:${user.sub}`, value: "", metadata: { sub: user.sub } },
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

  it("writes one record per client and user, at most once a day per isolate, outliving every grant", async () => {
    const calls: string[] = [];
    const send = deployment(countedBindings(calls));
    const client = await createClient();
    const user = await createUser();
    const exchange = async () => {
      const minted = await obtainCode(client, user);
      calls.length = 0;
      const tokens = await expectTokens(await exchangeCode(client, minted, {}, send));
      return { puts: calls.filter((c) => c === "TOKENS.put").length, tokens };
    };
    const expiration = async () =>
      (await env.TOKENS.list({ prefix: `client-grant:${client.client_id}:` })).keys.map((k) => k.expiration);

    const first = await exchange();
    expect(first.puts).toBe(1);
    const [written] = await expiration();
    // GRANT_MAX_LIFETIME (a year) from the exchange, and a day's slack for later grants.
    const grantEnd = (decodeJwt(first.tokens.access_token).iat ?? 0) + 365 * 86_400;
    expect(written).toBeGreaterThanOrEqual(grantEnd + RECORD_SLACK_SECONDS - 5);

    // A later grant of the same pair ends within the record: no write.
    expect((await exchange()).puts).toBe(0);
    expect(await expiration()).toEqual([written]);

    // Once a later grant would outlive it, the record is written again, further out.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + (RECORD_SLACK_SECONDS + 60) * 1000);
    expect((await exchange()).puts).toBe(1);
    const [extended] = await expiration();
    expect(extended).toBeGreaterThan(written ?? 0);
    expect(await usersWithGrantsOf(env, client.client_id)).toEqual([user.sub]);
  });
});
