import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { TestBrowser, authorizationRequest, redirectParams } from "../helpers/browser";
import {
  createDocumentClient,
  documentHits,
  publishDocument,
} from "../helpers/client-web-server";
import { basicAuthorization, createUser } from "../helpers/fixtures";
import { deployment } from "../helpers/deployment";
import { obtainCode, redeem, refreshAs, revokeAs } from "../helpers/flow";
import { postForm, request } from "../helpers/http";
import { MAX_DOCUMENT_BYTES } from "../../src/storage/client-metadata-documents";
import type { TestClient } from "../helpers/fixtures";

/**
 * The client is not established, so the error is a page, never a redirect (RFC 6749 §4.1.2.1),
 * and it says what is wrong.
 */
async function expectErrorPage(res: Response, explanation: RegExp, error = "invalid_client") {
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(res.headers.get("Location")).toBeNull();
  expect(res.headers.get("Content-Type")).toMatch(/text\/html/);
  const page = await res.text();
  expect(page).toContain(`<code>${error}</code>`);
  expect(page).toMatch(explanation);
}

async function authorize(client: TestClient, browser = new TestBrowser(), redirectUri?: string) {
  const { url } = await authorizationRequest(client, redirectUri ? { redirectUri } : {});
  return browser.fetch(url);
}

/** Signs `user` in on the login page that `res` shows; returns the next response. */
async function signIn(browser: TestBrowser, res: Response, user: { username: string; password: string }) {
  expect(res.status).toBe(200);
  return browser.submit(await res.text(), { username: user.username, password: user.password });
}

describe("a client identified by its metadata document (draft-ietf-oauth-client-id-metadata-document-02)", () => {
  it("completes the flow: code, tokens naming the URL as client, refresh, revocation", async () => {
    const client = await createDocumentClient();
    const user = await createUser();
    const issued = await obtainCode(client, user);
    const res = await redeem(issued);
    expect(res.status).toBe(200);
    const tokens = (await res.json()) as { access_token: string; refresh_token: string };
    expect(decodeJwt(tokens.access_token).client_id).toBe(client.client_id);
    const refreshed = await refreshAs(client, tokens.refresh_token);
    expect(refreshed.status).toBe(200);
    const { refresh_token } = (await refreshed.json()) as { refresh_token: string };
    expect((await revokeAs(client, refresh_token)).status).toBe(200);
    expect((await refreshAs(client, refresh_token)).status).toBe(400);
  });

  it("gets no refresh token unless its document's grant_types include refresh_token", async () => {
    const client = await createDocumentClient({ grant_types: ["authorization_code"] });
    const res = await redeem(await obtainCode(client, await createUser()));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { refresh_token?: string }).refresh_token).toBeUndefined();
  });

  it("is public: a secret presented at the token endpoint is refused", async () => {
    const client = await createDocumentClient();
    const issued = await obtainCode(client, await createUser());
    const res = await postForm(
      "/token",
      {
        grant_type: "authorization_code",
        code: issued.code,
        redirect_uri: issued.redirectUri,
        code_verifier: issued.verifier,
      },
      { Authorization: basicAuthorization(client.client_id, "guessed") },
    );
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe("invalid_client");
  });

  it("is asked for consent every time, with its host named; prompt=none gets consent_required", async () => {
    const client = await createDocumentClient();
    const user = await createUser();
    const browser = new TestBrowser();
    const consent = await signIn(browser, await authorize(client, browser), user);
    expect(consent.status).toBe(200);
    const page = await consent.text();
    expect(page).toContain('name="decision"');
    expect(page).toContain('id="client-host"');
    expect(page).toContain("<strong>clients.example.com</strong>");
    expect(page).not.toContain('id="runs-locally"');
    const allowed = await browser.submit(page, { decision: "allow" });
    expect(redirectParams(allowed, client.redirect_uri).get("code")).toBeTruthy();

    // Allowed once, still asked: nothing proves the next request comes from the same app.
    const again = await authorize(client, browser);
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('name="decision"');
    const silent = await authorizationRequest(client, { extra: { prompt: "none" } });
    const res = await browser.fetch(silent.url);
    expect(redirectParams(res, client.redirect_uri).get("error")).toBe("consent_required");
  });

  it("warns when every redirect URI is on the user's own computer", async () => {
    const client = await createDocumentClient({ redirect_uris: ["http://127.0.0.1/callback"] });
    const browser = new TestBrowser();
    // RFC 8252 §7.3: any port on a loopback redirect URI.
    const redirectUri = "http://127.0.0.1:51234/callback";
    const consent = await signIn(browser, await authorize(client, browser, redirectUri), await createUser());
    const page = await consent.text();
    expect(page).toContain('id="runs-locally"');
    expect(page).toContain("runs on your own computer");
    const mixed = await createDocumentClient({
      redirect_uris: ["http://127.0.0.1/callback", "https://app.example.org/callback"],
    });
    const other = new TestBrowser();
    const mixedConsent = await signIn(other, await authorize(mixed, other, redirectUri), await createUser());
    expect(await mixedConsent.text()).not.toContain('id="runs-locally"');
  });

  it("is fetched once and then served from the cache for its max-age", async () => {
    const client = await createDocumentClient({}, {
      headers: { "Content-Type": "application/json", "Cache-Control": "max-age=3600" },
    });
    await redeem(await obtainCode(client, await createUser()));
    // authorize, the login form, the consent form and the token endpoint: one fetch.
    expect(await documentHits(client.client_id)).toBe(1);
  });

  it("is refused with a page when its redirect URI is not listed", async () => {
    const client = await createDocumentClient();
    await expectErrorPage(
      await authorize(client, new TestBrowser(), "https://evil.example/callback"),
      /not registered for this client/,
      "invalid_request",
    );
  });

  const badDocuments: [string, Record<string, unknown>, RegExp][] = [
    ["another client_id", { client_id: "https://clients.example.com/someone-else.json" }, /names another client_id/],
    ["no redirect_uris", { redirect_uris: undefined }, /must list its redirect_uris/],
    ["client_secret_basic", { token_endpoint_auth_method: "client_secret_basic" }, /a shared secret/],
    ["client_secret_post", { token_endpoint_auth_method: "client_secret_post" }, /a shared secret/],
    ["client_secret_jwt", { token_endpoint_auth_method: "client_secret_jwt" }, /a shared secret/],
    ["private_key_jwt", { token_endpoint_auth_method: "private_key_jwt" }, /must use token_endpoint_auth_method/],
    ["a client_secret", { client_secret: "published" }, /must not contain a client_secret/],
    ["an http redirect URI off loopback", { redirect_uris: ["http://app.example.org/cb"] }, /may use http only on a loopback host/],
    ["an unsupported grant type", { grant_types: ["implicit"] }, /grant_types may contain only/],
  ];
  for (const [what, overrides, explanation] of badDocuments) {
    it(`is refused with a page when its document has ${what}`, async () => {
      const client = await createDocumentClient(overrides);
      const redirectUri = ((overrides.redirect_uris as string[] | undefined) ?? [])[0];
      await expectErrorPage(
        await authorize(client, new TestBrowser(), redirectUri ?? "https://app.example.org/callback"),
        explanation,
      );
    });
  }

  it("is refused with a page when its document is too large, not JSON, or a redirect", async () => {
    const large = await createDocumentClient({ padding: "x".repeat(MAX_DOCUMENT_BYTES) });
    await expectErrorPage(await authorize(large), /larger than/);
    const html = await createDocumentClient({}, { headers: { "Content-Type": "text/html" } });
    await expectErrorPage(await authorize(html), /is not JSON/);
    const moved = await createDocumentClient({}, {
      status: 301,
      headers: { Location: "https://clients.example.com/elsewhere.json" },
      body: "",
    });
    await expectErrorPage(await authorize(moved), /redirect, which is not followed/);
  });

  it("is refused with a page when its URL is not one the draft allows or may not be fetched", async () => {
    const cases: [string, RegExp][] = [
      ["https://127.0.0.1/client.json", /not an IP address/],
      ["https://[::1]/client.json", /not an IP address/],
      ["https://localhost/client.json", /fully qualified public host/],
      ["https://app.internal/client.json", /not a local or internal one/],
      ["http://clients.example.com/client.json", /must use https/],
      ["https://clients.example.com", /must have a path/],
      ["https://clients.example.com/", /must have a path/],
      ["https://clients.example.com/client.json#x", /must not contain a fragment/],
      ["https://user:pw@clients.example.com/client.json", /must not contain user information/],
      ["https://clients.example.com/a/../client.json", /path segments/],
      ["https://CLIENTS.example.com/client.json", /normal form/],
      ["ftp://clients.example.com/client.json", /must use https/],
    ];
    for (const [clientId, explanation] of cases) {
      const params = new URLSearchParams({
        response_type: "code",
        client_id: clientId,
        redirect_uri: "https://app.example.org/callback",
        code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        code_challenge_method: "S256",
      });
      await expectErrorPage(await request(`/authorize?${params}`), explanation);
    }
  });

  it("is fetched over plain http only from a host:port that INSECURE_CLIENT_METADATA_HOSTS names", async () => {
    const clientId = `http://127.0.0.1:4100/${crypto.randomUUID()}/client.json`;
    await publishDocument(clientId, {
      client_id: clientId,
      redirect_uris: ["http://127.0.0.1/callback"],
      token_endpoint_auth_method: "none",
    });
    const client = {
      client_id: clientId,
      redirect_uri: "http://127.0.0.1/callback",
      metadata: {},
    } as unknown as TestClient;
    const allowed = new TestBrowser(deployment({ INSECURE_CLIENT_METADATA_HOSTS: "127.0.0.1:4100" }));
    const login = await authorize(client, allowed);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('name="password"');
    await expectErrorPage(await authorize(client), /must use https/);
  });

  it("is advertised in the authorization server metadata", async () => {
    const res = await request("/.well-known/oauth-authorization-server");
    const metadata = (await res.json()) as Record<string, unknown>;
    expect(metadata.client_id_metadata_document_supported).toBe(true);
  });
});
