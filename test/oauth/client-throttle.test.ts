/**
 * Wrong client secrets per client (src/auth/throttle-policy.ts "Client secrets"): 429 with the
 * common invalid_client body and Retry-After, without checking the secret; bounded locks; no
 * Durable Object call on a successful authentication.
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { forgetRememberedLocks } from "../../src/auth/lock-memory";
import { CLIENT_POLICY } from "../../src/storage/throttle-policy";
import type { AccountState } from "../../src/storage/throttle-state";
import { type TestClient, basicAuthorization, createClient, createPublicClient } from "../helpers/fixtures";
import { postForm } from "../helpers/http";
import { uniqueIp } from "../helpers/addresses";
import { loggedSecurityEvents } from "../helpers/security-log";

const ENDPOINTS: [string, Record<string, string>][] = [
  ["/token", { grant_type: "refresh_token", refresh_token: "x" }],
  ["/revoke", { token: "x" }],
  ["/introspect", { token: "x" }],
];

/** POST `path` as `client` with `secret` (client_secret_basic) from `ip`. */
function postWithSecret(
  path: string,
  client: TestClient,
  secret: string,
  ip: string,
  form: Record<string, string> = { token: "x" },
): Promise<Response> {
  return postForm(path, form, {
    Authorization: basicAuthorization(client.client_id, secret),
    "CF-Connecting-IP": ip,
  });
}

async function failTimes(client: TestClient, times: number, ip: string): Promise<void> {
  for (let i = 0; i < times; i++) {
    const res = await postWithSecret("/introspect", client, `wrong-${i}`, ip);
    expect(res.status).toBe(401);
  }
}

function clientStub(clientId: string) {
  return env.THROTTLE.getByName(`client:${clientId}`);
}

async function expectThrottled(res: Response): Promise<number> {
  expect(res.status).toBe(429);
  expect(await res.json()).toEqual({
    error: "invalid_client",
    error_description: "Client authentication failed",
  });
  const retryAfter = Number(res.headers.get("Retry-After"));
  expect(retryAfter).toBeGreaterThan(0);
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  return retryAfter;
}

afterEach(() => vi.restoreAllMocks());

describe("client secret throttle", () => {
  it("after 10 wrong secrets from one address, every endpoint answers 429 invalid_client without checking the secret", async () => {
    const client = await createClient();
    const ip = uniqueIp();
    await failTimes(client, CLIENT_POLICY.context.freeFailures, ip);
    for (const [path, form] of ENDPOINTS) {
      // The right secret too: it is not checked while the lock holds.
      const retryAfter = await expectThrottled(
        await postWithSecret(path, client, client.client_secret!, ip, form),
      );
      expect(retryAfter).toBeLessThanOrEqual(CLIENT_POLICY.context.firstLockMs / 1000);
    }
  });

  it("another address's guessing does not lock the client's own servers out", async () => {
    const client = await createClient();
    await failTimes(client, CLIENT_POLICY.context.freeFailures, uniqueIp());
    const res = await postWithSecret("/introspect", client, client.client_secret!, uniqueIp());
    expect(res.status).toBe(200);
  });

  it("a distributed guesser locks the client briefly for every address, capped at 2 minutes", async () => {
    const client = await createClient();
    // One failure from each of 50 networks: each within its own allowance, all at the shared counter.
    for (let i = 0; i < CLIENT_POLICY.shared.freeFailures; i++) {
      await failTimes(client, 1, uniqueIp());
    }
    const retryAfter = await expectThrottled(
      await postWithSecret("/token", client, client.client_secret!, uniqueIp(), ENDPOINTS[0]![1]),
    );
    expect(retryAfter).toBeLessThanOrEqual(CLIENT_POLICY.shared.firstLockMs / 1000);
    expect(CLIENT_POLICY.shared.maxLockMs).toBeLessThanOrEqual(2 * 60 * 1000);
    expect(CLIENT_POLICY.context.maxLockMs).toBeLessThanOrEqual(5 * 60 * 1000);
  });

  it("the lock ends: then the right secret gets in again", async () => {
    const client = await createClient();
    const ip = uniqueIp();
    await failTimes(client, CLIENT_POLICY.context.freeFailures, ip);
    await expectThrottled(await postWithSecret("/introspect", client, client.client_secret!, ip));
    // Move the stored lock into the past and let the isolate forget it, instead of waiting.
    await runInDurableObject(clientStub(client.client_id), (_i, state) => {
      const s = state.storage.kv.get<AccountState>("state")!;
      const contexts = Object.fromEntries(
        Object.entries(s.contexts).map(([k, c]) => [k, { ...c, lockedUntil: Date.now() - 1 }]),
      );
      state.storage.kv.put("state", { ...s, contexts });
    });
    forgetRememberedLocks();
    expect((await postWithSecret("/introspect", client, client.client_secret!, ip)).status).toBe(200);
  });

  it("a locked client is refused from the isolate's memory; an isolate that has not seen the lock learns it from the Durable Object at the next failure", async () => {
    const client = await createClient();
    const ip = uniqueIp();
    await failTimes(client, CLIENT_POLICY.context.freeFailures, ip);
    const stored = await runInDurableObject(clientStub(client.client_id), (_i, state) =>
      state.storage.kv.get<AccountState>("state"),
    );
    // Refusals are not counted: the stored state does not move.
    await expectThrottled(await postWithSecret("/revoke", client, "wrong", ip));
    expect(
      await runInDurableObject(clientStub(client.client_id), (_i, state) =>
        state.storage.kv.get<AccountState>("state"),
      ),
    ).toEqual(stored);
    // A fresh isolate checks the secret (no call on success), and asks the Durable Object when
    // a secret fails: it then answers 429 and remembers.
    forgetRememberedLocks();
    expect((await postWithSecret("/introspect", client, client.client_secret!, ip)).status).toBe(200);
    await expectThrottled(await postWithSecret("/introspect", client, "wrong-again", ip));
    await expectThrottled(await postWithSecret("/introspect", client, client.client_secret!, ip));
  });

  it("a successful authentication makes no throttle call", async () => {
    const client = await createClient();
    for (let i = 0; i < 3; i++) {
      const res = await postWithSecret("/introspect", client, client.client_secret!, uniqueIp());
      expect(res.status).toBe(200);
    }
    const stored = await runInDurableObject(clientStub(client.client_id), (_i, state) => [
      ...state.storage.kv.list(),
    ]);
    expect(stored).toEqual([]);
  });

  it("a public client is never throttled by someone presenting secrets for it", async () => {
    const client = await createPublicClient();
    const ip = uniqueIp();
    for (let i = 0; i < CLIENT_POLICY.context.freeFailures + 2; i++) {
      expect((await postWithSecret("/revoke", client, `guess-${i}`, ip)).status).toBe(401);
    }
    const res = await postForm("/revoke", { token: "x", client_id: client.client_id }, { "CF-Connecting-IP": ip });
    expect(res.status).toBe(200);
  });

  it("logs client_auth.failed and client_auth.throttled without the secret", async () => {
    const client = await createClient();
    const ip = uniqueIp();
    const log = vi.spyOn(console, "log");
    await failTimes(client, CLIENT_POLICY.context.freeFailures, ip);
    await expectThrottled(await postWithSecret("/introspect", client, client.client_secret!, ip));
    const events = loggedSecurityEvents(log)
      .filter((e) => e.client_id === client.client_id);
    expect(events.filter((e) => e.type === "client_auth.failed")).toHaveLength(
      CLIENT_POLICY.context.freeFailures,
    );
    expect(events.filter((e) => e.type === "client_auth.throttled")).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ endpoint: "/introspect", retry_after: expect.any(Number) });
    const text = JSON.stringify(log.mock.calls);
    expect(text).not.toContain(client.client_secret!);
    expect(text).not.toContain("wrong-0");
  });
});
