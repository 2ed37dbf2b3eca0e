/**
 * Which authorizations end in a refresh token (src/oauth/refresh-policy.ts): only for a client
 * with the refresh_token grant, and, for a client that sets require_offline_access, only for an
 * OpenID Connect request that asked for offline_access and had it allowed (OIDC Core §11). The
 * consent page says when allowing lets the application keep access while the user is away.
 * Everything through HTTP: the admin API, /authorize with its login and consent pages, /token.
 */
import { describe, expect, it } from "vitest";
import {
  authorizationRequest,
  redirectParams,
  TestBrowser,
} from "../helpers/browser";
import { exchangeCode, expectTokenError, expectTokens, refresh } from "../helpers/codes";
import { createClient, createUser, type TestClient, type TestUser } from "../helpers/fixtures";
import { plain, select } from "../helpers/html";
import { admin, request } from "../helpers/http";
import { createSelfRegisteredClient } from "../helpers/registration";

const OIDC_SCOPE = "openid profile email offline_access";

/** A client that may ask for offline_access; `requireOffline` sets require_offline_access. */
function offlineClient(requireOffline: boolean, grantTypes = ["authorization_code", "refresh_token"]) {
  return createClient({
    scope: OIDC_SCOPE,
    grant_types: grantTypes,
    ...(requireOffline ? { require_offline_access: true } : {}),
  });
}

/** The consent page's "keeps access" note, as plain text, or null when the page has none. */
async function keepsAccessNote(page: string): Promise<string | null> {
  const notes = await select(page, "#keeps-access");
  return notes.length === 0 ? null : plain(notes[0]!.text);
}

/** The scope names the consent page lists. */
async function listedScopes(page: string): Promise<string[]> {
  return (await select(page, ".scopes code")).map((code) => plain(code.text));
}

interface Consented {
  browser: TestBrowser;
  /** The consent page as shown (null when none was shown: a remembered consent covered it). */
  consentPage: string | null;
  code: string;
  verifier: string;
}

/**
 * Sends `browser` through /authorize for `scope`: signs `user` in when the login page shows,
 * records the consent page when it shows and allows, and returns the code.
 */
async function authorize(
  client: TestClient,
  user: TestUser,
  scope: string,
  browser = new TestBrowser(),
): Promise<Consented> {
  const { url, pkce } = await authorizationRequest(client, { scope });
  let res = await browser.fetch(url);
  let consentPage: string | null = null;
  for (let step = 0; step < 3 && res.status === 200; step++) {
    const page = await res.text();
    if (/type="password"/.test(page)) {
      res = await browser.submit(page, { username: user.username, password: user.password });
    } else {
      expect(page).toContain('name="decision"');
      consentPage = page;
      res = await browser.submit(page, { decision: "allow" });
    }
  }
  const code = redirectParams(res, client.redirect_uri).get("code");
  expect(code, "a code").toBeTruthy();
  return { browser, consentPage, code: code as string, verifier: pkce.verifier };
}

/** The tokens the code is exchanged for. */
async function redeem(client: TestClient, consented: Consented) {
  return expectTokens(
    await exchangeCode(client, {
      code: consented.code,
      verifier: consented.verifier,
      redirectUri: client.redirect_uri,
    }),
  );
}

describe("refresh tokens only for clients with the refresh_token grant", () => {
  it("a client without it gets no refresh token, even asking for offline_access, and the page promises no lasting access", async () => {
    const client = await offlineClient(false, ["authorization_code"]);
    const consented = await authorize(client, await createUser(), OIDC_SCOPE);
    expect(consented.consentPage).not.toBeNull();
    expect(await keepsAccessNote(consented.consentPage!)).toBeNull();
    const tokens = await redeem(client, consented);
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.refresh_token).toBeUndefined();
    // RFC 6749 §5.2: nor may it use the refresh_token grant at all.
    await expectTokenError(await refresh(client, "anything"), "unauthorized_client");
  });
});

describe("require_offline_access: OpenID Connect requests get refresh tokens only with offline_access (OIDC Core §11)", () => {
  it("an openid request without offline_access gets no refresh token, and the page says nothing of lasting access", async () => {
    const client = await offlineClient(true);
    const consented = await authorize(client, await createUser(), "openid profile");
    expect(await keepsAccessNote(consented.consentPage!)).toBeNull();
    const tokens = await redeem(client, consented);
    expect(tokens.id_token).toBeTruthy();
    expect(tokens.refresh_token).toBeUndefined();
  });

  it("with offline_access the page names it and says the app keeps access; the exchange returns a refresh token that works", async () => {
    const client = await offlineClient(true);
    const consented = await authorize(client, await createUser(), "openid offline_access");
    const page = consented.consentPage!;
    expect(await listedScopes(page)).toContain("offline_access");
    expect(page).toContain("Keep access while you are not using the application");
    const note = await keepsAccessNote(page);
    expect(note).toContain(client.metadata.client_name!);
    expect(note).toContain("will keep this access while you are not using it");
    expect((await select(page, "#keeps-access"))[0]!.attrs.role).toBe("note");

    const tokens = await redeem(client, consented);
    expect(tokens.refresh_token).toBeTruthy();
    const refreshed = await expectTokens(await refresh(client, tokens.refresh_token!));
    expect(refreshed.refresh_token).toBeTruthy();
  });

  it("a remembered consent without offline_access does not cover it: the user is asked again, and prompt=none gets consent_required", async () => {
    const client = await offlineClient(true);
    const user = await createUser();
    const first = await authorize(client, user, "openid profile");
    expect(first.consentPage).not.toBeNull();
    // Remembered: the same request again shows no page.
    const again = await authorize(client, user, "openid profile", first.browser);
    expect(again.consentPage).toBeNull();

    const silent = await authorizationRequest(client, {
      scope: "openid profile offline_access",
      extra: { prompt: "none" },
    });
    const refused = await first.browser.fetch(silent.url);
    expect(redirectParams(refused, client.redirect_uri).get("error")).toBe("consent_required");

    const offline = await authorize(client, user, "openid profile offline_access", first.browser);
    expect(offline.consentPage, "asked again for offline access").not.toBeNull();
    expect(await keepsAccessNote(offline.consentPage!)).not.toBeNull();
    expect((await redeem(client, offline)).refresh_token).toBeTruthy();

    // Now remembered with offline_access: no page, and the code still carries the refresh token.
    const remembered = await authorize(client, user, "openid profile offline_access", first.browser);
    expect(remembered.consentPage).toBeNull();
    expect((await redeem(client, remembered)).refresh_token).toBeTruthy();
    // While a request without offline_access still gets none.
    const online = await authorize(client, user, "openid profile", first.browser);
    expect(online.consentPage).toBeNull();
    expect((await redeem(client, online)).refresh_token).toBeUndefined();
  });

  it("a plain OAuth request (no openid) is not an OpenID Connect request: the refresh_token grant alone decides", async () => {
    const client = await createClient({
      scope: "api:read offline_access openid",
      grant_types: ["authorization_code", "refresh_token"],
      require_offline_access: true,
    });
    const consented = await authorize(client, await createUser(), "api:read");
    expect(await keepsAccessNote(consented.consentPage!)).not.toBeNull();
    expect((await redeem(client, consented)).refresh_token).toBeTruthy();
  });
});

describe("a client that does not require offline_access gets refresh tokens as before", () => {
  it("an openid request without offline_access gets a refresh token, and the page says the app keeps access", async () => {
    const client = await offlineClient(false);
    const consented = await authorize(client, await createUser(), "openid profile");
    const note = await keepsAccessNote(consented.consentPage!);
    expect(note).toBe(
      `${client.metadata.client_name} will keep this access while you are not using it, until the access expires or is revoked.`,
    );
    expect((await redeem(client, consented)).refresh_token).toBeTruthy();
  });

  it("offline_access is asked for only within the client's registered scope (RFC 7591 §2)", async () => {
    const client = await createClient({ scope: "openid profile" });
    const { url } = await authorizationRequest(client, { scope: "openid offline_access" });
    const user = await createUser();
    const browser = new TestBrowser();
    const login = await browser.fetch(url);
    // The error waits for sign-in (RFC 9700 §4.11.2), then goes to the client.
    const res = await browser.submit(await login.text(), {
      username: user.username,
      password: user.password,
    });
    expect(redirectParams(res, client.redirect_uri).get("error")).toBe("invalid_scope");
  });
});

describe("the decision is the user's, made at consent and carried in the code to its exchange", () => {
  /** RFC 7592 §2.2: the self-registered client replaces its metadata. */
  async function reconfigure(client: TestClient, changes: Record<string, unknown>) {
    const res = await request(`/register/${encodeURIComponent(client.client_id)}`, {
      method: "PUT",
      headers: {
        Authorization: `Bearer ${client.metadata.registration_access_token}`,
        "Content-Type": "application/json",
      },
      body: JSON.stringify({
        client_id: client.client_id,
        client_name: client.metadata.client_name,
        redirect_uris: client.metadata.redirect_uris,
        grant_types: client.metadata.grant_types,
        scope: client.metadata.scope,
        ...changes,
      }),
    });
    expect(res.status).toBe(200);
  }

  it("a code allowed with the keeps-access note still gets its refresh token after the client starts requiring offline_access", async () => {
    const client = await createSelfRegisteredClient({ scope: OIDC_SCOPE });
    const consented = await authorize(client, await createUser(), "openid profile");
    expect(await keepsAccessNote(consented.consentPage!)).not.toBeNull();
    await reconfigure(client, { require_offline_access: true });
    expect((await redeem(client, consented)).refresh_token).toBeTruthy();
  });

  it("a code allowed without it gets none after the client stops requiring offline_access", async () => {
    const client = await createSelfRegisteredClient({ scope: OIDC_SCOPE, require_offline_access: true });
    const consented = await authorize(client, await createUser(), "openid profile");
    expect(await keepsAccessNote(consented.consentPage!)).toBeNull();
    await reconfigure(client, { require_offline_access: false });
    expect((await redeem(client, consented)).refresh_token).toBeUndefined();
  });

  it("the refresh_token grant is checked again at the exchange: a client that dropped it gets none", async () => {
    const client = await createSelfRegisteredClient({ scope: OIDC_SCOPE });
    const consented = await authorize(client, await createUser(), "openid offline_access");
    await reconfigure(client, { grant_types: ["authorization_code"] });
    expect((await redeem(client, consented)).refresh_token).toBeUndefined();
  });
});

describe("require_offline_access in client metadata", () => {
  it("is a boolean, echoed in the client information; anything else is invalid_client_metadata", async () => {
    const client = await offlineClient(true);
    expect(client.metadata).toMatchObject({ require_offline_access: true });
    const res = await admin("POST", "/clients", {
      redirect_uris: ["https://rp.example/cb"],
      require_offline_access: "yes",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("invalid_client_metadata");
  });
});

describe("metadata", () => {
  it("lists offline_access in scopes_supported (OIDC Discovery §3)", async () => {
    const res = await request("/.well-known/openid-configuration");
    const meta = (await res.json()) as { scopes_supported: string[] };
    expect(meta.scopes_supported).toContain("offline_access");
  });
});
