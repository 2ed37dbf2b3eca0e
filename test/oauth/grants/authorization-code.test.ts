import { decodeJwt } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { obtainCode } from "../../helpers/browser";
import { exchangeCode, expectTokenError, expectTokens, refresh } from "../../helpers/codes";
import { createClient, createClientUsing, createUser } from "../../helpers/fixtures";
import { admin, postForm } from "../../helpers/http";

afterEach(() => {
  vi.useRealTimers();
});

describe("token endpoint: authorization code exchange (RFC 6749 §4.1.3)", () => {
  it.each(["client_secret_basic", "client_secret_post", "none"] as const)(
    "exchanges a code for tokens with %s",
    async (method) => {
      const client = await createClientUsing(method);
      const user = await createUser();
      const signedInFrom = Math.floor(Date.now() / 1000);
      const minted = await obtainCode(client, user, { nonce: "n-0S6_WzA2Mj" });
      const signedInBy = Math.floor(Date.now() / 1000);
      const tokens = await expectTokens(await exchangeCode(client, minted));

      expect(tokens).toMatchObject({
        token_type: "Bearer",
        expires_in: 600,
        scope: "openid profile email",
      });
      expect(decodeJwt(tokens.access_token)).toMatchObject({
        sub: user.sub,
        client_id: client.client_id,
        scope: "openid profile email",
      });
      // The access token and the refresh token name the one grant the code started.
      const grantId = decodeJwt(tokens.access_token).grant_id;
      expect(grantId).toMatch(/^[A-Za-z0-9_-]{16,}$/);
      expect(tokens.refresh_token).toMatch(new RegExp(`^${user.sub}\\.${grantId}\\.`));
      const idToken = decodeJwt(tokens.id_token ?? "");
      expect(idToken).toMatchObject({ sub: user.sub, aud: client.client_id, nonce: "n-0S6_WzA2Mj" });
      // auth_time is when the user signed in (OIDC Core §2).
      expect(idToken.auth_time).toBeGreaterThanOrEqual(signedInFrom);
      expect(idToken.auth_time).toBeLessThanOrEqual(signedInBy);
    },
  );

  it("issues no refresh token to a client without the refresh_token grant type", async () => {
    const client = await createClient({ grant_types: ["authorization_code"] });
    const tokens = await expectTokens(
      await exchangeCode(client, await obtainCode(client, await createUser())),
    );
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.refresh_token).toBeUndefined();
  });

  it("issues an ID token only when openid was granted", async () => {
    const client = await createClient();
    const minted = await obtainCode(client, await createUser(), { scope: ["profile"] });
    const tokens = await expectTokens(await exchangeCode(client, minted));
    expect(tokens.scope).toBe("profile");
    expect(tokens.id_token).toBeUndefined();
  });

  it("releases name with the profile scope and email only with the email scope", async () => {
    const client = await createClient();
    const user = await createUser({ name: "Ada Lovelace", email: "ada@example.com" });
    const minted = await obtainCode(client, user, { scope: ["openid", "profile"] });
    const idToken = decodeJwt(
      (await expectTokens(await exchangeCode(client, minted))).id_token ?? "",
    );
    expect(idToken.name).toBe("Ada Lovelace");
    expect(idToken.email).toBeUndefined();
  });

  it("refuses a wrong code_verifier with invalid_grant, without consuming the code", async () => {
    const client = await createClient();
    const minted = await obtainCode(client, await createUser());
    const other = await obtainCode(client, await createUser());
    await expectTokenError(
      await exchangeCode(client, minted, { code_verifier: other.verifier }),
      "invalid_grant",
    );
    await expectTokens(await exchangeCode(client, minted));
  });

  it("refuses a missing code_verifier with invalid_grant, without consuming the code (RFC 7636 §4.6, OAuth 2.1 §4.1.3)", async () => {
    const client = await createClient();
    const minted = await obtainCode(client, await createUser());
    const res = await postForm(
      "/token",
      {
        grant_type: "authorization_code",
        code: minted.code,
        redirect_uri: minted.redirectUri,
      },
      { Authorization: `Basic ${btoa(`${client.client_id}:${client.client_secret}`)}` },
    );
    await expectTokenError(res, "invalid_grant");
    await expectTokens(await exchangeCode(client, minted));
  });

  it("refuses a code_verifier of bad syntax (RFC 7636 §4.1)", async () => {
    const client = await createClient();
    const minted = await obtainCode(client, await createUser());
    await expectTokenError(
      await exchangeCode(client, minted, { code_verifier: `${minted.verifier}+` }),
      "invalid_request",
    );
    await expectTokenError(
      await exchangeCode(client, minted, { code_verifier: minted.verifier.slice(0, 42) }),
      "invalid_request",
    );
  });

  it("refuses a code issued to another client, without consuming it", async () => {
    const owner = await createClient();
    const thief = await createClient();
    const minted = await obtainCode(owner, await createUser());
    await expectTokenError(await exchangeCode(thief, minted), "invalid_grant");
    await expectTokens(await exchangeCode(owner, minted));
  });

  it("refuses a wrong client secret with invalid_client, without consuming the code", async () => {
    const client = await createClient();
    const minted = await obtainCode(client, await createUser());
    await expectTokenError(
      await exchangeCode({ ...client, client_secret: "wrong" }, minted),
      "invalid_client",
      401,
    );
    await expectTokens(await exchangeCode(client, minted));
  });

  it("refuses a redirect_uri that differs from the authorization request's", async () => {
    const client = await createClient({
      redirect_uris: ["https://rp.example/cb", "https://rp.example/other"],
    });
    const minted = await obtainCode(client, await createUser());
    for (const redirectUri of [
      "https://rp.example/other",
      "https://rp.example/cb/",
      "https://RP.example/cb",
    ]) {
      await expectTokenError(
        await exchangeCode(client, minted, { redirect_uri: redirectUri }),
        "invalid_grant",
      );
    }
    await expectTokens(await exchangeCode(client, minted));
  });

  it("refuses a missing redirect_uri with invalid_grant when the authorization request included it, without consuming the code (RFC 6749 §4.1.3)", async () => {
    const client = await createClient();
    const minted = await obtainCode(client, await createUser());
    await expectTokenError(
      await exchangeCode(client, minted, { redirect_uri: "" }),
      "invalid_grant",
    );
    await expectTokens(await exchangeCode(client, minted));
  });

  it("does not require redirect_uri when the authorization request omitted it", async () => {
    const client = await createClient();
    const minted = await obtainCode(client, await createUser(), { omitRedirectUri: true });
    await expectTokens(await exchangeCode(client, minted, { redirect_uri: "" }));
  });

  it("refuses an expired code", async () => {
    const client = await createClient();
    const minted = await obtainCode(client, await createUser());
    // A code lives 60 s from its issue, which was before now.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 61_000);
    await expectTokenError(await exchangeCode(client, minted), "invalid_grant");
  });

  it("refuses a tampered, truncated or made-up code", async () => {
    const client = await createClient();
    const minted = await obtainCode(client, await createUser());
    const parts = minted.code.split(".");
    const ciphertext = parts[3] ?? "";
    const flipped = `${ciphertext[0] === "A" ? "B" : "A"}${ciphertext.slice(1)}`;
    const tampered = [...parts.slice(0, 3), flipped, ...parts.slice(4)].join(".");
    for (const code of [tampered, minted.code.slice(0, -2), "not-a-code", "a.b.c.d.e", "%00"]) {
      await expectTokenError(await exchangeCode(client, { ...minted, code }), "invalid_grant");
    }
    await expectTokens(await exchangeCode(client, minted));
  });

  it("refuses a request without a code", async () => {
    const client = await createClient();
    const minted = await obtainCode(client, await createUser());
    await expectTokenError(await exchangeCode(client, minted, { code: "" }), "invalid_request");
  });

  it("refuses a repeated parameter (RFC 6749 §3.2)", async () => {
    const client = await createClient();
    const minted = await obtainCode(client, await createUser());
    const form = new URLSearchParams({
      grant_type: "authorization_code",
      code: minted.code,
      redirect_uri: minted.redirectUri,
      code_verifier: minted.verifier,
    });
    form.append("code_verifier", minted.verifier);
    const res = await postForm("/token", form, {
      Authorization: `Basic ${btoa(`${client.client_id}:${client.client_secret}`)}`,
    });
    await expectTokenError(res, "invalid_request");
    await expectTokens(await exchangeCode(client, minted));
  });

  it("refuses a reused code and revokes the refresh token issued from it", async () => {
    const client = await createClient();
    const minted = await obtainCode(client, await createUser());
    const first = await expectTokens(await exchangeCode(client, minted));
    const refreshToken = first.refresh_token ?? "";

    await expectTokenError(await exchangeCode(client, minted), "invalid_grant");
    await expectTokenError(await refresh(client, refreshToken), "invalid_grant");
  });

  it("refuses a code of a user who has been deleted", async () => {
    const client = await createClient();
    const user = await createUser();
    const minted = await obtainCode(client, user);
    expect((await admin("DELETE", `/users/${user.sub}`)).status).toBe(204);
    await expectTokenError(await exchangeCode(client, minted), "invalid_grant");
  });

  it("narrows the audience to requested resources, never beyond the authorized ones (RFC 8707)", async () => {
    const client = await createClient();
    const resources = ["https://api.example/a", "https://api.example/b"];
    const minted = await obtainCode(client, await createUser(), { resource: resources });
    await expectTokenError(
      await exchangeCode(client, minted, { resource: "https://api.example/c" }),
      "invalid_target",
    );
    const tokens = await expectTokens(
      await exchangeCode(client, minted, { resource: "https://api.example/b" }),
    );
    expect(decodeJwt(tokens.access_token).aud).toBe("https://api.example/b");
  });

  it("gives the access token every authorized resource as audience by default", async () => {
    const client = await createClient();
    const resources = ["https://api.example/a", "https://api.example/b"];
    const minted = await obtainCode(client, await createUser(), { resource: resources });
    const tokens = await expectTokens(await exchangeCode(client, minted));
    expect(decodeJwt(tokens.access_token).aud).toEqual(resources);
  });
});
