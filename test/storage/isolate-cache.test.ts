import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { randomToken } from "../../src/crypto/random";
import { type ClientRecord, deleteClient, getClient, putClient } from "../../src/storage/clients";
import { getConsent, rememberConsent } from "../../src/storage/consents";
import {
  cachedJson,
  deleteCached,
  putCachedJson,
  READ_CACHE_MAX_ENTRIES,
  READ_CACHE_MAX_TEXT,
  READ_CACHE_TTL_MS,
} from "../../src/storage/isolate-cache";
import type { Stores } from "../../src/storage/stores";
import { createUser as storeUser, deleteUser, getUser } from "../../src/storage/users";
import { authorizationRequest, authorizeWithLogin, redirectParams, TestBrowser } from "../helpers/browser";
import { expectTokenError, expectTokens, exchangeCode, refresh } from "../helpers/codes";
import { countedBindings } from "../helpers/counted-bindings";
import { deployment } from "../helpers/deployment";
import { ADMIN_TOKEN } from "../helpers/http";
import { createClient, createUser } from "../helpers/fixtures";

/**
 * Storage over counted bindings of its own: a fresh isolate cache (one per binding object), and
 * `calls` lists every KV and Durable Object call it makes.
 */
function countedStores(): { stores: Stores; calls: string[] } {
  const calls: string[] = [];
  return { stores: { ...env, ...countedBindings(calls) } as Stores, calls };
}

function clientRecord(name = "Cached"): ClientRecord {
  return {
    client_id: randomToken(16),
    client_id_issued_at: Math.floor(Date.now() / 1000),
    metadata: {
      redirect_uris: ["https://rp.example/cb"],
      client_name: name,
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
      scope: "openid",
    },
  };
}

/** Moves the clock (Date only) forward by `ms`. */
function advance(ms: number) {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.now() + ms);
}

afterEach(() => {
  vi.useRealTimers();
});

describe("the isolate's read cache of clients, users and consents", () => {
  it("answers a repeated read without a KV call", async () => {
    const { stores, calls } = countedStores();
    const record = clientRecord();
    await putClient(stores, record);
    const user = await storeUser(stores, { username: `cached-${randomToken(6)}`, password: "a long enough password" });
    await rememberConsent(stores, user.sub, record.client_id, ["openid"]);
    calls.length = 0;

    for (let i = 0; i < 3; i++) {
      expect(await getClient(stores, record.client_id)).toEqual(record);
      expect(await getUser(stores, user.sub)).toEqual(user);
      expect((await getConsent(stores, user.sub, record.client_id))?.scopes).toEqual(["openid"]);
    }
    expect(calls).toEqual([]);
  });

  it("reads each record from KV once, then from the cache", async () => {
    const record = clientRecord();
    await putClient(env, record); // written through other bindings: this cache has not seen it
    const { stores, calls } = countedStores();
    expect(await getClient(stores, record.client_id)).toEqual(record);
    expect(await getClient(stores, record.client_id)).toEqual(record);
    expect(calls).toEqual(["CLIENTS.get"]);
  });

  it("gives every reader its own copy: changing one changes nothing for the next", async () => {
    const { stores } = countedStores();
    const record = clientRecord();
    await putClient(stores, record);
    const first = await getClient(stores, record.client_id);
    first?.metadata.redirect_uris.push("https://attacker.example/cb");
    expect((await getClient(stores, record.client_id))?.metadata.redirect_uris).toEqual([
      "https://rp.example/cb",
    ]);
  });

  it("sees a write or a delete made in this isolate at once", async () => {
    const { stores, calls } = countedStores();
    const record = clientRecord("Before");
    await putClient(stores, record);
    expect((await getClient(stores, record.client_id))?.metadata.client_name).toBe("Before");

    const renamed = { ...record, metadata: { ...record.metadata, client_name: "After" } };
    await putClient(stores, renamed);
    expect(await getClient(stores, record.client_id)).toEqual(renamed);

    expect(await deleteClient(stores, record.client_id)).toBe(true);
    calls.length = 0;
    expect(await getClient(stores, record.client_id)).toBeNull();
    expect(calls).toEqual([]); // known deleted here, whatever KV at this location still says

    const user = await storeUser(stores, { username: `gone-${randomToken(6)}`, password: "a long enough password" });
    await rememberConsent(stores, user.sub, record.client_id, ["openid"]);
    expect(await getUser(stores, user.sub)).not.toBeNull();
    expect(await deleteUser(stores, user.sub)).toBe(true);
    expect(await getUser(stores, user.sub)).toBeNull();
    expect(await getConsent(stores, user.sub, record.client_id)).toBeNull();
  });

  it("adds a newly remembered consent's scopes at once", async () => {
    const { stores } = countedStores();
    const user = await storeUser(stores, { username: `consent-${randomToken(6)}`, password: "a long enough password" });
    await rememberConsent(stores, user.sub, "some-client", ["openid"]);
    expect((await getConsent(stores, user.sub, "some-client"))?.scopes).toEqual(["openid"]);
    await rememberConsent(stores, user.sub, "some-client", ["profile"]);
    expect((await getConsent(stores, user.sub, "some-client"))?.scopes).toEqual(["openid", "profile"]);
  });

  it("keeps an entry for READ_CACHE_TTL_MS: a change made elsewhere shows after it, not before", async () => {
    const { stores, calls } = countedStores();
    const record = clientRecord("Here");
    await putClient(stores, record);
    // Another location (other bindings, so another cache) renames the client.
    await putClient(env, { ...record, metadata: { ...record.metadata, client_name: "Elsewhere" } });

    advance(READ_CACHE_TTL_MS - 1000);
    calls.length = 0;
    expect((await getClient(stores, record.client_id))?.metadata.client_name).toBe("Here");
    expect(calls).toEqual([]);

    advance(1000);
    expect((await getClient(stores, record.client_id))?.metadata.client_name).toBe("Elsewhere");
    expect(calls).toEqual(["CLIENTS.get"]);
  });

  it("remembers that a client does not exist, until a write here registers it", async () => {
    const { stores, calls } = countedStores();
    const record = clientRecord();
    expect(await getClient(stores, record.client_id)).toBeNull();
    expect(await getClient(stores, record.client_id)).toBeNull();
    expect(calls).toEqual(["CLIENTS.get"]);
    await putClient(stores, record);
    expect(await getClient(stores, record.client_id)).toEqual(record);
  });

  it("does not keep what a read returned when a write in this isolate overtook it", async () => {
    const record = clientRecord("Old");
    await putClient(env, record);
    // A KV read that answers only when released: the write below happens while it is under way.
    let release = () => {};
    const held = new Promise<void>((ok) => (release = ok));
    const slow = new Proxy(env.CLIENTS, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== "function") return value;
        const call = (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(target, args);
        return prop === "get" ? async (...args: unknown[]) => {
          const answer = await call(...args);
          await held;
          return answer;
        } : call;
      },
    });
    const stores = { ...env, CLIENTS: slow } as Stores;
    const reading = getClient(stores, record.client_id);
    const renamed = { ...record, metadata: { ...record.metadata, client_name: "New" } };
    await putClient(stores, renamed);
    release();
    expect((await reading)?.metadata.client_name).toBe("Old"); // it was read before the write
    expect(await getClient(stores, record.client_id)).toEqual(renamed);
  });

  it("keeps nothing of two writes of one key that overlapped: KV's last is unknown here", async () => {
    const key = `client:${randomToken(16)}`;
    await env.CLIENTS.put(key, JSON.stringify({ name: "First" }));
    // KV puts and deletes that reach KV at once but answer only when released; reads counted.
    const releases: (() => void)[] = [];
    const reads: string[] = [];
    const slow = new Proxy(env.CLIENTS, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== "function") return value;
        const call = (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(target, args);
        if (prop === "get") return (...args: unknown[]) => (reads.push(String(args[0])), call(...args));
        return prop === "put" || prop === "delete" ? async (...args: unknown[]) => {
          const done = await call(...args);
          await new Promise<void>((ok) => releases.push(ok));
          return done;
        } : call;
      },
    });
    const deleting = deleteCached(slow, key);
    const writing = putCachedJson(slow, key, { name: "Second" });
    await vi.waitFor(() => expect(releases).toHaveLength(2));
    // The delete reached KV first, then the put: KV holds "Second". Their answers come back the
    // other way round, so the delete settles last here.
    releases[1]?.();
    await writing;
    releases[0]?.();
    await deleting;
    // Neither write's value was kept: the next read asks KV, and gets what KV holds.
    expect(await cachedJson(slow, key)).toEqual({ name: "Second" });
    expect(reads).toEqual([key]);
  });

  it(`reads a record longer than ${READ_CACHE_MAX_TEXT} characters from KV every time`, async () => {
    const { stores, calls } = countedStores();
    const record = clientRecord("Large");
    record.metadata.redirect_uris = Array.from({ length: 8 }, (_, i) => `https://rp.example/${"x".repeat(1500)}/${i}`);
    await putClient(env, record);
    await getClient(stores, record.client_id);
    await getClient(stores, record.client_id);
    expect(calls).toEqual(["CLIENTS.get", "CLIENTS.get"]);
  });

  it(`holds at most ${READ_CACHE_MAX_ENTRIES} entries per namespace, dropping the least recently used`, async () => {
    const { stores, calls } = countedStores();
    const ids = Array.from({ length: READ_CACHE_MAX_ENTRIES + 1 }, (_, i) => `absent-${i}`);
    for (const id of ids.slice(0, READ_CACHE_MAX_ENTRIES)) await getClient(stores, id);
    await getClient(stores, ids[0] as string); // now the most recently used
    await getClient(stores, ids[READ_CACHE_MAX_ENTRIES] as string); // one too many: ids[1] goes
    calls.length = 0;
    await getClient(stores, ids[0] as string);
    await getClient(stores, ids[2] as string);
    expect(calls).toEqual([]);
    await getClient(stores, ids[1] as string);
    expect(calls).toEqual(["CLIENTS.get"]);
  });
});

describe("the read cache through HTTP", () => {
  const admin = (send: ReturnType<typeof deployment>, method: string, path: string) =>
    send(`/admin${path}`, { method, headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });

  it("a deleted client can no longer authorize or refresh at once, though it was just read", async () => {
    const send = deployment(countedBindings([]));
    const client = await createClient();
    const user = await createUser();
    const browser = new TestBrowser(send);
    const minted = await authorizeWithLogin(client, user, {}, browser);
    const tokens = await expectTokens(
      await exchangeCode(client, { ...minted, redirectUri: client.redirect_uri }, {}, send),
    );
    const again = await browser.fetch((await authorizationRequest(client)).url);
    expect(redirectParams(again, client.redirect_uri).get("code")).toBeTruthy(); // client cached

    expect((await admin(send, "DELETE", `/clients/${client.client_id}`)).status).toBe(204);
    const refused = await browser.fetch((await authorizationRequest(client)).url);
    expect(refused.status).toBe(401); // an error page, never a redirect (RFC 6749 §4.1.2.1)
    expect(refused.headers.get("Location")).toBeNull();
    expect(await refused.text()).toContain("invalid_client");
    await expectTokenError(await refresh(client, tokens.refresh_token ?? "", {}, send), "invalid_client", 401);
  });

  it("a deleted user's session no longer authorizes at once, though the user was just read", async () => {
    const send = deployment(countedBindings([]));
    const client = await createClient();
    const user = await createUser();
    const browser = new TestBrowser(send);
    await authorizeWithLogin(client, user, {}, browser);
    const again = await browser.fetch((await authorizationRequest(client)).url);
    expect(redirectParams(again, client.redirect_uri).get("code")).toBeTruthy(); // user cached

    // Within SESSION_CHECK_INTERVAL the sealed cookie alone answers: only the user's record,
    // gone from this isolate's cache with the deletion, stops it.
    expect((await admin(send, "DELETE", `/users/${user.sub}`)).status).toBe(204);
    const res = await browser.fetch((await authorizationRequest(client)).url);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('name="password"');
  });
});
