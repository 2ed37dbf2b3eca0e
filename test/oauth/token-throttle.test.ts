/**
 * Invalid codes and tokens per address (src/auth/throttle-policy.ts "Invalid tokens and codes"):
 * after the limit, /token and /revoke answer 429 with Retry-After before any grant's Durable
 * Object is reached; successes and addresses that never failed cost no throttle call.
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { forgetRememberedLocks } from "../../src/auth/lock-memory";
import { TOKEN_ADDRESS_POLICY } from "../../src/storage/throttle-policy";
import { addressKey } from "../../src/auth/address-key";
import { randomToken } from "../../src/crypto/random";
import { clientAuth, expectTokenError, expectTokens } from "../helpers/codes";
import type { TestClient } from "../helpers/fixtures";
import { startGrant } from "../helpers/grants";
import { postForm } from "../helpers/http";
import { uniqueIp } from "../helpers/addresses";
import { loggedSecurityEvents } from "../helpers/security-log";

/** A well-formed refresh token of a grant that does not exist. */
/** The shape of a refresh token (`<sub>.<grant>.<secret>`), naming no grant. */
const unknownRefreshToken = () => `${randomToken(16)}.${randomToken(16)}.${randomToken(32)}`;

function post(path: string, client: TestClient, form: Record<string, string>, ip?: string) {
  const auth = clientAuth(client);
  return postForm(path, { ...form, ...auth.form }, {
    ...auth.headers,
    ...(ip === undefined ? {} : { "CF-Connecting-IP": ip }),
  });
}

const refreshWith = (client: TestClient, token: string, ip?: string) =>
  post("/token", client, { grant_type: "refresh_token", refresh_token: token }, ip);

function tokenThrottleStub(ip: string) {
  return env.THROTTLE.getByName(`token-address:${addressKey(ip)}`);
}

async function expectRefused(res: Response, error: string): Promise<void> {
  await expectTokenError(res, error, 429);
  expect(Number(res.headers.get("Retry-After"))).toBeGreaterThan(0);
}

afterEach(() => vi.restoreAllMocks());

describe("invalid codes and tokens per address", () => {
  it("after 50 invalid refresh tokens and codes, the address is refused before the grant is reached", async () => {
    const { client, refreshToken } = await startGrant();
    const ip = uniqueIp();
    const half = TOKEN_ADDRESS_POLICY.maxFailures / 2;
    for (let i = 0; i < half; i++) {
      await expectTokenError(await refreshWith(client, unknownRefreshToken(), ip), "invalid_grant");
      const code = post("/token", client, { grant_type: "authorization_code", code: `bad-${i}`, code_verifier: "v".repeat(43) }, ip);
      await expectTokenError(await code, "invalid_grant");
    }
    // The 51st failure sets the lock.
    await expectTokenError(await refreshWith(client, unknownRefreshToken(), ip), "invalid_grant");
    // Now even a valid refresh token from that address is refused, and not consumed: the grant
    // was not reached, so the same token still refreshes from another network.
    await expectRefused(await refreshWith(client, refreshToken, ip), "invalid_grant");
    await expectRefused(await post("/revoke", client, { token: refreshToken }, ip), "invalid_request");
    await expectTokens(await refreshWith(client, refreshToken, uniqueIp()));
  });

  it("unknown tokens at /revoke count although it answers 200", async () => {
    const { client } = await startGrant();
    const ip = uniqueIp();
    for (let i = 0; i <= TOKEN_ADDRESS_POLICY.maxFailures; i++) {
      // Refresh-token shapes naming no grant, and strings that are no token at all.
      const token = i % 2 === 0 ? unknownRefreshToken() : `garbage-${i}`;
      expect((await post("/revoke", client, { token }, ip)).status).toBe(200);
    }
    await expectRefused(await post("/revoke", client, { token: unknownRefreshToken() }, ip), "invalid_request");
    await expectRefused(await refreshWith(client, unknownRefreshToken(), ip), "invalid_grant");
  });

  it("an address that never failed costs no throttle call, and successes are not counted", async () => {
    const { client, refreshToken } = await startGrant();
    const ip = uniqueIp();
    const tokens = await expectTokens(await refreshWith(client, refreshToken, ip));
    await expectTokens(await refreshWith(client, tokens.refresh_token!, ip));
    const stored = await runInDurableObject(tokenThrottleStub(ip), (_i, state) => [...state.storage.kv.list()]);
    expect(stored).toEqual([]);
  });

  it("the Durable Object is the authority: an isolate that has not seen the lock learns it at its next failure", async () => {
    const { client } = await startGrant();
    const ip = uniqueIp();
    for (let i = 0; i <= TOKEN_ADDRESS_POLICY.maxFailures; i++) {
      await expectTokenError(await refreshWith(client, unknownRefreshToken(), ip), "invalid_grant");
    }
    await expectRefused(await refreshWith(client, unknownRefreshToken(), ip), "invalid_grant");
    forgetRememberedLocks();
    // This one is answered (the isolate did not know), and its count is refused: remembered.
    await expectTokenError(await refreshWith(client, unknownRefreshToken(), ip), "invalid_grant");
    await expectRefused(await refreshWith(client, unknownRefreshToken(), ip), "invalid_grant");
  });

  it("logs token.throttled with the address and endpoint, and no token", async () => {
    const { client } = await startGrant();
    const ip = uniqueIp();
    for (let i = 0; i <= TOKEN_ADDRESS_POLICY.maxFailures; i++) {
      await refreshWith(client, unknownRefreshToken(), ip);
    }
    const log = vi.spyOn(console, "log");
    const presented = unknownRefreshToken();
    await expectRefused(await refreshWith(client, presented, ip), "invalid_grant");
    const events = loggedSecurityEvents(log);
    expect(events).toContainEqual(
      expect.objectContaining({ type: "token.throttled", ip, endpoint: "/token", retry_after: expect.any(Number) }),
    );
    expect(JSON.stringify(log.mock.calls)).not.toContain(presented);
  });

  it("without a client address (local development) nothing is throttled", async () => {
    const { client } = await startGrant();
    for (let i = 0; i <= TOKEN_ADDRESS_POLICY.maxFailures + 5; i++) {
      await expectTokenError(await refreshWith(client, unknownRefreshToken()), "invalid_grant");
    }
  });
});
