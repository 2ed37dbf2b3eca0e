/**
 * completeLogin records how the user signed in (OIDC Core §2 `amr` with RFC 8176 values, and
 * `acr`); the session, the sealed code and the grant carry it into every ID token, refreshed
 * ones included (OIDC Core §12.2).
 */
import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { completeLogin } from "../../src/auth/complete-login";
import type { PendingLogin } from "../../src/auth/method";
import { randomToken } from "../../src/crypto/random";
import { readSession } from "../../src/http/session";
import { type AuthorizationCodePayload, sealCode } from "../../src/oauth/sealed-code";
import { getUser } from "../../src/storage/users";
import {
  TestBrowser,
  authorizationRequest,
  authorizeWithLogin,
  redirectParams,
} from "../helpers/browser";
import { type TokenResponseBody, clientAuth, expectTokens, refresh } from "../helpers/codes";
import { type TestClient, createClient, createUser } from "../helpers/fixtures";
import { postForm } from "../helpers/http";
import { bareApp } from "../helpers/bare-app";
import { createPkce } from "../helpers/pkce";

async function exchange(client: TestClient, code: string, verifier: string) {
  const auth = clientAuth(client);
  const res = await postForm(
    "/token",
    {
      grant_type: "authorization_code",
      code,
      code_verifier: verifier,
      redirect_uri: client.redirect_uri,
      ...auth.form,
    },
    auth.headers,
  );
  return expectTokens(res);
}

function idToken(tokens: TokenResponseBody) {
  expect(tokens.id_token, "an ID token (scope openid)").toBeTruthy();
  return decodeJwt(tokens.id_token!);
}

describe("how the user signed in reaches the ID token", () => {
  it("a password sign-in gives amr [pwd] at the code exchange and at every refresh", async () => {
    const client = await createClient();
    const user = await createUser();
    const { code, verifier } = await authorizeWithLogin(client, user);
    const first = await exchange(client, code, verifier);
    const claims = idToken(first);
    expect(claims.amr).toEqual(["pwd"]);
    // No method states an acr yet: none is claimed, none guessed.
    expect(claims).not.toHaveProperty("acr");

    const refreshed = await expectTokens(await refresh(client, first.refresh_token!));
    expect(idToken(refreshed)).toMatchObject({ amr: ["pwd"], auth_time: claims.auth_time });
    const again = await expectTokens(await refresh(client, refreshed.refresh_token!));
    expect(idToken(again).amr).toEqual(["pwd"]);
  });

  it("a returning user's session keeps the amr of its sign-in for the next authorization", async () => {
    const user = await createUser();
    const browser = new TestBrowser();
    await authorizeWithLogin(await createClient(), user, {}, browser);
    // Another client, the same browser: no login form this time, only the consent page.
    const client = await createClient();
    const { url, pkce } = await authorizationRequest(client);
    const consent = await browser.fetch(url);
    const page = await consent.text();
    expect(page).not.toContain('name="password"');
    const allowed = await browser.submit(page, { decision: "allow" });
    const code = redirectParams(allowed, client.redirect_uri).get("code")!;
    const verifier = pkce.verifier;
    expect(idToken(await exchange(client, code, verifier)).amr).toEqual(["pwd"]);
  });

  it("carries an acr and several amr values from the code through the grant into refreshes", async () => {
    const client = await createClient();
    const { code, verifier } = await sealedCode(client, await createUser(), {
      amr: ["pwd", "otp", "mfa"],
      acr: "urn:example:loa:2",
    });
    const tokens = await exchange(client, code, verifier);
    expect(idToken(tokens)).toMatchObject({ amr: ["pwd", "otp", "mfa"], acr: "urn:example:loa:2" });
    const refreshed = await expectTokens(await refresh(client, tokens.refresh_token ?? ""));
    expect(idToken(refreshed)).toMatchObject({
      amr: ["pwd", "otp", "mfa"],
      acr: "urn:example:loa:2",
    });
  });

  it("a code sealed before amr was recorded gives ID tokens without amr, not a guessed one", async () => {
    const client = await createClient();
    const { code, verifier } = await sealedCode(client, await createUser(), {});
    const tokens = await exchange(client, code, verifier);
    expect(idToken(tokens)).not.toHaveProperty("amr");
    const refreshed = await expectTokens(await refresh(client, tokens.refresh_token ?? ""));
    expect(idToken(refreshed)).not.toHaveProperty("amr");
  });
});

/**
 * A code sealed here, in this test only, with authentication values no login method produces yet
 * (or none at all, as codes sealed before amr existed): what the code → grant → ID token path
 * does with them is the unit under test, so no public flow can issue such a code.
 */
async function sealedCode(
  client: TestClient,
  user: { sub: string },
  authentication: Pick<AuthorizationCodePayload, "amr" | "acr">,
): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = await createPkce();
  const now = Math.floor(Date.now() / 1000);
  const code = await sealCode(env, {
    codeId: randomToken(16),
    grantId: randomToken(16),
    clientId: client.client_id,
    redirectUri: client.redirect_uri,
    codeChallenge: challenge,
    sub: user.sub,
    scope: ["openid", "profile", "email"],
    resource: [],
    authTime: now,
    expiresAt: now + 60,
    ...authentication,
  });
  return { code, verifier };
}

describe("completeLogin", () => {
  /** A method's last step, for the user named in the path, with the amr and acr given. */
  function finishing() {
    const { app, send } = bareApp();
    app.post("/complete/:sub", async (c) => {
      const user = await getUser(c.env, c.req.param("sub"));
      if (!user) return c.notFound();
      const pending: PendingLogin = {
        form: undefined as never,
        retry: () => Promise.reject(new Error("not a failure")),
        resume: async (session, resumedAs) => c.json({ session, resumedAs: resumedAs.sub }),
      };
      const amr = c.req.query("amr")!.split(" ");
      const acr = c.req.query("acr");
      return completeLogin(c, pending, { user, amr, ...(acr ? { acr } : {}) });
    });
    app.get("/whoami", async (c) => c.json(await readSession(c)));
    const sessionCookie = (res: Response) =>
      res.headers.getSetCookie().find((c) => c.includes("session="))!.split(";")[0]!;
    return { send, sessionCookie };
  }

  it("starts a session that records the user, auth_time, amr and acr, then resumes as that user", async () => {
    const user = await createUser();
    const { send, sessionCookie } = finishing();
    const before = Math.floor(Date.now() / 1000);
    const res = await send(`/complete/${user.sub}?amr=hwk+user&acr=urn:example:loa:2`, {
      method: "POST",
    });
    const body = await res.json<{ session: Record<string, unknown>; resumedAs: string }>();
    expect(body.resumedAs).toBe(user.sub);
    expect(body.session).toMatchObject({
      sub: user.sub,
      amr: ["hwk", "user"],
      acr: "urn:example:loa:2",
    });
    expect(body.session.authTime).toBeGreaterThanOrEqual(before);
    const read = await send("/whoami", { headers: { Cookie: sessionCookie(res) } });
    expect(await read.json()).toEqual(body.session);
  });

  it("replaces whatever session the browser had: another user, another method", async () => {
    const [first, second] = [await createUser(), await createUser()];
    const { send, sessionCookie } = finishing();
    const one = await send(`/complete/${first.sub}?amr=pwd&acr=urn:example:loa:2`, {
      method: "POST",
    });
    const two = await send(`/complete/${second.sub}?amr=otp`, {
      method: "POST",
      headers: { Cookie: sessionCookie(one) },
    });
    const read = await send("/whoami", { headers: { Cookie: sessionCookie(two) } });
    const session = await read.json();
    expect(session).toMatchObject({ sub: second.sub, amr: ["otp"] });
    expect(session).not.toHaveProperty("acr");
  });
});
