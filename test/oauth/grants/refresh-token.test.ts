import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { randomToken } from "../../../src/crypto/random";
import {
  type TokenResponseBody,
  exchangeCode,
  expectTokenError,
  expectTokens,
  refresh,
} from "../../helpers/codes";
import { type CodeOptions, obtainCode } from "../../helpers/browser";
import { type TestClient, createClient, createPublicClient, createUser } from "../../helpers/fixtures";
import { deployment } from "../../helpers/deployment";
import { admin } from "../../helpers/http";

/** A client, a user and the first token response of a fresh grant. */
async function grant(
  client?: TestClient,
  overrides: CodeOptions = {},
): Promise<{ client: TestClient; first: TokenResponseBody; refreshToken: string }> {
  const c = client ?? (await createClient());
  const user = await createUser({ name: "Grace Hopper" });
  const first = await expectTokens(await exchangeCode(c, await obtainCode(c, user, overrides)));
  expect(first.refresh_token).toBeTruthy();
  return { client: c, first, refreshToken: first.refresh_token ?? "" };
}

/** A KV binding that answers as if `key` did not exist (KV lag), and passes everything else on. */
function withoutKey(binding: KVNamespace, key: string): KVNamespace {
  return new Proxy(binding, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      if (prop === "get") {
        return (k: string, ...rest: unknown[]) =>
          k === key ? Promise.resolve(null) : (value as (...a: unknown[]) => unknown).apply(target, [k, ...rest]);
      }
      return (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(target, args);
    },
  });
}

afterEach(() => {
  vi.useRealTimers();
});

describe("refresh token grant (RFC 6749 §6) with rotation (RFC 9700 §4.14.2)", () => {
  it("issues new tokens and a new refresh token, which works in turn", async () => {
    const { client, first, refreshToken } = await grant();
    const second = await expectTokens(await refresh(client, refreshToken));
    expect(second.refresh_token).toBeTruthy();
    expect(second.refresh_token).not.toBe(refreshToken);
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.scope).toBe("openid profile email");
    expect(decodeJwt(second.access_token).sub).toBe(decodeJwt(first.access_token).sub);
    const third = await expectTokens(await refresh(client, second.refresh_token ?? ""));
    expect(third.refresh_token).toBeTruthy();
  });

  it("works for a public client (auth method none)", async () => {
    const client = await createPublicClient({
      grant_types: ["authorization_code", "refresh_token"],
    });
    const { refreshToken } = await grant(client);
    await expectTokens(await refresh(client, refreshToken));
  });

  it("refuses a public client's rotated refresh token at once and revokes the whole grant (RFC 9700 §4.14.2)", async () => {
    const client = await createPublicClient({
      grant_types: ["authorization_code", "refresh_token"],
    });
    const { refreshToken } = await grant(client);
    const rotated = (await expectTokens(await refresh(client, refreshToken))).refresh_token ?? "";
    await expectTokenError(await refresh(client, refreshToken), "invalid_grant");
    await expectTokenError(await refresh(client, rotated), "invalid_grant");
  });

  it("gives a confidential client retrying with the token it just rotated the same successor, within the grace", async () => {
    const { client, refreshToken } = await grant();
    const first = await expectTokens(await refresh(client, refreshToken));
    const retry = await expectTokens(await refresh(client, refreshToken));
    expect(retry.refresh_token).toBe(first.refresh_token);
    expect(retry.access_token).not.toBe(first.access_token);
    // The successor is the one live token: it rotates as usual.
    const next = await expectTokens(await refresh(client, first.refresh_token ?? ""));
    expect(next.refresh_token).not.toBe(first.refresh_token);
  });

  it("revokes the whole grant when the previous token comes back after the grace", async () => {
    const { client, refreshToken } = await grant();
    const rotated = (await expectTokens(await refresh(client, refreshToken))).refresh_token ?? "";
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 31_000);
    await expectTokenError(await refresh(client, refreshToken), "invalid_grant");
    await expectTokenError(await refresh(client, rotated), "invalid_grant");
  });

  it("revokes the whole grant when an older token comes back, even within the grace", async () => {
    const { client, refreshToken } = await grant();
    const second = (await expectTokens(await refresh(client, refreshToken))).refresh_token ?? "";
    const third = (await expectTokens(await refresh(client, second))).refresh_token ?? "";
    await expectTokenError(await refresh(client, refreshToken), "invalid_grant");
    await expectTokenError(await refresh(client, third), "invalid_grant");
  });

  it("reads the user before rotating: a refresh refused there leaves the token usable", async () => {
    const { client, first, refreshToken } = await grant();
    const sub = decodeJwt(first.access_token).sub ?? "";
    expect(await env.USERS.get(`user:${sub}`)).not.toBeNull();
    // The user's record unreadable for a moment (as a KV glitch or lag would make it), at a
    // location whose KV binding (and so its isolate read cache) has not seen the user yet.
    const lagging = deployment({ USERS: withoutKey(env.USERS, `user:${sub}`) });
    await expectTokenError(await refresh(client, refreshToken, {}, lagging), "invalid_grant");
    const refreshed = await expectTokens(await refresh(client, refreshToken));
    // Not a grace replay: the token had not been rotated, so the successor is new.
    await expectTokens(await refresh(client, refreshed.refresh_token ?? ""));
  });

  it("ends the grant at GRANT_MAX_LIFETIME (one year), however often it is refreshed", async () => {
    const { client, refreshToken } = await grant();
    vi.useFakeTimers({ toFake: ["Date"] });
    let token = refreshToken;
    // Every 29 days: within each token's 30 days, so only the grant's cap can end it.
    for (let day = 29; day <= 348; day += 29) {
      vi.setSystemTime(Date.now() + 29 * 86_400_000);
      token = (await expectTokens(await refresh(client, token))).refresh_token ?? "";
    }
    vi.setSystemTime(Date.now() + 29 * 86_400_000);
    await expectTokenError(await refresh(client, token), "invalid_grant");
  });

  it("gives each rotation a sliding lifetime of REFRESH_TOKEN_TTL", async () => {
    const { client, refreshToken } = await grant();
    // Almost at the end of the first token's 30 days: its successor lives 30 days from then.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 29 * 86_400_000);
    const rotated = (await expectTokens(await refresh(client, refreshToken))).refresh_token ?? "";
    vi.setSystemTime(Date.now() + 29 * 86_400_000);
    await expectTokens(await refresh(client, rotated));
  });

  it("refuses an expired refresh token", async () => {
    const { client, refreshToken } = await grant();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 30 * 86_400_000 + 1000);
    await expectTokenError(await refresh(client, refreshToken), "invalid_grant");
  });

  it("narrows the scope on request; the refresh token keeps the grant's scope", async () => {
    const { client, refreshToken } = await grant();
    const narrowed = await expectTokens(await refresh(client, refreshToken, { scope: "openid" }));
    expect(narrowed.scope).toBe("openid");
    expect(decodeJwt(narrowed.access_token).scope).toBe("openid");
    const full = await expectTokens(await refresh(client, narrowed.refresh_token ?? ""));
    expect(full.scope).toBe("openid profile email");
  });

  it("refuses a wider scope with invalid_scope, leaving the refresh token usable", async () => {
    const { client, refreshToken } = await grant(undefined, { scope: ["openid", "profile"] });
    await expectTokenError(
      await refresh(client, refreshToken, { scope: "openid profile email" }),
      "invalid_scope",
    );
    await expectTokens(await refresh(client, refreshToken));
  });

  it("issues an ID token without the code's nonce, and none when openid is narrowed away", async () => {
    const { client, refreshToken } = await grant(undefined, { nonce: "abc" });
    const refreshed = await expectTokens(await refresh(client, refreshToken));
    const idToken = decodeJwt(refreshed.id_token ?? "");
    expect(idToken.nonce).toBeUndefined();
    expect(idToken.name).toBe("Grace Hopper");
    const withoutOpenid = await expectTokens(
      await refresh(client, refreshed.refresh_token ?? "", { scope: "profile" }),
    );
    expect(withoutOpenid.id_token).toBeUndefined();
  });

  it("narrows the audience to granted resources and refuses others (RFC 8707 §2.2)", async () => {
    const resources = ["https://api.example/a", "https://api.example/b"];
    const { client, refreshToken } = await grant(undefined, { resource: resources });
    await expectTokenError(
      await refresh(client, refreshToken, { resource: "https://api.example/c" }),
      "invalid_target",
    );
    const narrowed = await expectTokens(
      await refresh(client, refreshToken, { resource: "https://api.example/a" }),
    );
    expect(decodeJwt(narrowed.access_token).aud).toBe("https://api.example/a");
  });

  it("refuses a refresh token presented by another client, without revoking the grant", async () => {
    const { client, refreshToken } = await grant();
    const other = await createClient();
    await expectTokenError(await refresh(other, refreshToken), "invalid_grant");
    await expectTokens(await refresh(client, refreshToken));
  });

  it("refuses a deleted client", async () => {
    const { client, refreshToken } = await grant();
    expect((await admin("DELETE", `/clients/${client.client_id}`)).status).toBe(204);
    await expectTokenError(await refresh(client, refreshToken), "invalid_client", 401);
  });

  it("refuses the grant of a deleted user", async () => {
    const { client, first, refreshToken } = await grant();
    const sub = decodeJwt(first.access_token).sub ?? "";
    expect((await admin("DELETE", `/users/${sub}`)).status).toBe(204);
    await expectTokenError(await refresh(client, refreshToken), "invalid_grant");
  });

  it("refuses a client that no longer has the refresh_token grant type", async () => {
    const client = await createClient({ grant_types: ["authorization_code"] });
    await expectTokenError(
      await refresh(client, `${randomToken(16)}.${randomToken(32)}`),
      "unauthorized_client",
    );
  });

  it("answers malformed and unknown refresh tokens with invalid_grant, never a server error", async () => {
    const client = await createClient();
    for (const token of [
      "garbage",
      ".",
      `${randomToken(16)}.`,
      `.${randomToken(32)}`,
      `${randomToken(16)}.${randomToken(32)}`,
      `${randomToken(16)}.${randomToken(32)}x`,
      `${"a".repeat(5000)}.${randomToken(32)}`,
      `../${randomToken(16)}.${randomToken(32)}`,
      `${randomToken(16)}.${randomToken(16)}.${randomToken(32)}`,
      `${randomToken(16)}.${randomToken(16)}.${randomToken(32)}.x`,
      `${"a".repeat(65)}.${randomToken(16)}.${randomToken(32)}`,
      `../${randomToken(16)}.${randomToken(16)}.${randomToken(32)}`,
    ]) {
      await expectTokenError(await refresh(client, token), "invalid_grant");
    }
  });

  it("refuses a made-up secret for an existing grant, without revoking it", async () => {
    const { client, refreshToken } = await grant();
    const [sub, grantId] = refreshToken.split(".");
    await expectTokenError(
      await refresh(client, `${sub}.${grantId}.${randomToken(32)}`),
      "invalid_grant",
    );
    await expectTokens(await refresh(client, refreshToken));
  });
});
