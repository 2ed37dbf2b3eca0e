import { env } from "cloudflare:workers";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { expectTokenError, expectTokens, refresh } from "../helpers/codes";
import { basicAuthorization, createClient, createPublicClient } from "../helpers/fixtures";
import { forgerKey, grantState, postAsClient, startGrant } from "../helpers/grants";
import { postForm, request } from "../helpers/http";
import { signedToken } from "../helpers/signed-token";

afterEach(() => {
  vi.useRealTimers();
});

/** RFC 7009 §2.2: 200, no body, not cached, whatever happened to the token. */
async function expectRevocationResponse(res: Response): Promise<void> {
  expect(res.status).toBe(200);
  expect(await res.text()).toBe("");
  expect(res.headers.get("Cache-Control")).toBe("no-store");
}

describe("token revocation (RFC 7009)", () => {
  it("revoking a refresh token ends the grant: the refresh token is refused and the grant's access tokens introspect inactive", async () => {
    const { client, accessToken, refreshToken } = await startGrant();
    await expectRevocationResponse(
      await postAsClient("/revoke", client, { token: refreshToken, token_type_hint: "refresh_token" }),
    );
    await expectTokenError(await refresh(client, refreshToken), "invalid_grant");
    const resourceServer = await createClient();
    for (const token of [accessToken, refreshToken]) {
      const res = await postAsClient("/introspect", resourceServer, { token });
      expect(await res.json()).toEqual({ active: false });
    }
  });

  it("revoking an access token ends its grant, refresh token included", async () => {
    const { client, accessToken, refreshToken } = await startGrant();
    await expectRevocationResponse(await postAsClient("/revoke", client, { token: accessToken }));
    expect(await grantState(accessToken)).toBe("revoked");
    await expectTokenError(await refresh(client, refreshToken), "invalid_grant");
  });

  it("revoking a rotated refresh token of the client ends the grant too", async () => {
    const { client, accessToken, refreshToken } = await startGrant();
    const rotated = (await expectTokens(await refresh(client, refreshToken))).refresh_token ?? "";
    await expectRevocationResponse(await postAsClient("/revoke", client, { token: refreshToken }));
    expect(await grantState(accessToken)).toBe("revoked");
    await expectTokenError(await refresh(client, rotated), "invalid_grant");
  });

  it("a wrong or unknown token_type_hint is ignored: the server looks further (RFC 7009 §2.1)", async () => {
    for (const token_type_hint of ["access_token", "made_up_hint"]) {
      const { client, accessToken, refreshToken } = await startGrant();
      await expectRevocationResponse(
        await postAsClient("/revoke", client, { token: refreshToken, token_type_hint }),
      );
      expect(await grantState(accessToken), token_type_hint).toBe("revoked");
    }
    const { client, accessToken } = await startGrant();
    await expectRevocationResponse(
      await postAsClient("/revoke", client, { token: accessToken, token_type_hint: "refresh_token" }),
    );
    expect(await grantState(accessToken)).toBe("revoked");
  });

  it("an expired access token still revokes its grant", async () => {
    const { client, accessToken, refreshToken } = await startGrant();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 3_600_000);
    await expectRevocationResponse(await postAsClient("/revoke", client, { token: accessToken }));
    vi.useRealTimers();
    await expectTokenError(await refresh(client, refreshToken), "invalid_grant");
  });

  it("a public client revokes its own tokens with its client_id (RFC 7009 §2.1)", async () => {
    const client = await createPublicClient({ grant_types: ["authorization_code", "refresh_token"] });
    const { accessToken, refreshToken } = await startGrant({ client });
    await expectRevocationResponse(await postAsClient("/revoke", client, { token: refreshToken }));
    expect(await grantState(accessToken)).toBe("revoked");
  });

  it("another client cannot revoke a client's refresh token or access token: 200, and the tokens still work", async () => {
    const { client, accessToken, refreshToken } = await startGrant();
    const other = await createClient();
    for (const token of [refreshToken, accessToken]) {
      await expectRevocationResponse(await postAsClient("/revoke", other, { token }));
    }
    expect(await grantState(accessToken)).toBe("active");
    await expectTokens(await refresh(client, refreshToken));
  });

  it("an access token signed by another key cannot revoke a grant, even naming the client", async () => {
    const { client, accessToken } = await startGrant();
    const { kid } = decodeProtectedHeader(accessToken);
    const forged = await signedToken(env, {
      key: await forgerKey(kid ?? ""),
      claims: { client_id: client.client_id, grant_id: decodeJwt(accessToken).grant_id },
    });
    await expectRevocationResponse(await postAsClient("/revoke", client, { token: forged }));
    expect(await grantState(accessToken)).toBe("active");
  });

  it("garbage, a made-up refresh token, an unsecured JWT and an already revoked token all get 200 (RFC 7009 §2.2)", async () => {
    const { client, refreshToken } = await startGrant();
    const madeUp = `${"u".repeat(22)}.${"g".repeat(22)}.${"s".repeat(43)}`;
    const unsecured = `${btoa('{"alg":"none","typ":"at+jwt"}')}.${btoa("{}")}.`;
    for (const token of ["garbage", madeUp, "a.b.c", unsecured, "x".repeat(5000), refreshToken, refreshToken]) {
      await expectRevocationResponse(await postAsClient("/revoke", client, { token }));
    }
  });

  it("requires the token parameter (invalid_request)", async () => {
    const { client } = await startGrant();
    await expectTokenError(await postAsClient("/revoke", client, {}), "invalid_request", 400);
    await expectTokenError(
      await postAsClient("/revoke", client, { token: "" }),
      "invalid_request",
      400,
    );
  });

  it("authenticates the client as the token endpoint does: none, a wrong secret, an unknown client or the wrong method is invalid_client", async () => {
    const { client, accessToken } = await startGrant();
    const token = accessToken;
    const attempts: [Record<string, string>, Record<string, string>][] = [
      [{ token }, {}],
      [{ token }, { Authorization: basicAuthorization(client.client_id, "wrong") }],
      [{ token }, { Authorization: basicAuthorization("no-such-client", "secret") }],
      [{ token, client_id: client.client_id, client_secret: client.client_secret ?? "" }, {}],
      [{ token, client_id: client.client_id }, {}],
    ];
    for (const [form, headers] of attempts) {
      const res = await postForm("/revoke", form, headers);
      await expectTokenError(res, "invalid_client", 401);
      expect(res.headers.get("WWW-Authenticate")).toMatch(/^Basic /);
    }
    expect(await grantState(accessToken)).toBe("active");
  });

  it("accepts a form body only, by POST only", async () => {
    const { client, refreshToken } = await startGrant();
    const json = await request("/revoke", {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Authorization: basicAuthorization(client.client_id, client.client_secret ?? ""),
      },
      body: JSON.stringify({ token: refreshToken }),
    });
    await expectTokenError(json, "invalid_request", 400);
    const get = await request(`/revoke?token=${encodeURIComponent(refreshToken)}`);
    await expectTokenError(get, "invalid_request", 405);
    expect(get.headers.get("Allow")).toBe("POST");
  });

  it("allows cross-origin calls without credentials, like /token", async () => {
    const preflight = await request("/revoke", {
      method: "OPTIONS",
      headers: {
        Origin: "https://spa.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
      },
    });
    expect(preflight.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(preflight.headers.get("Access-Control-Allow-Credentials")).toBeNull();
    const { client, refreshToken } = await startGrant();
    const res = await postForm(
      "/revoke",
      { token: refreshToken, client_id: client.client_id },
      { Origin: "https://spa.example" },
    );
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
  });
});
