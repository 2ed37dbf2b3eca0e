import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { authorizeWithLogin, TestBrowser } from "../helpers/browser";
import { expectTokenError, expectTokens } from "../helpers/codes";
import { deployment } from "../helpers/deployment";
import { basicAuthorization, createClient, createUser, type TestClient } from "../helpers/fixtures";
import { postForm } from "../helpers/http";

const API = "https://api.example.com";
const OTHER = "https://reports.example.com";
const send = deployment({ RESOURCES: `${API} ${OTHER}` });

function token(client: TestClient, form: Record<string, string> | URLSearchParams) {
  return postForm("/token", form, { Authorization: basicAuthorization(client.client_id, client.client_secret as string) }, send);
}

/** Authorizes a new client and user for `resource` and exchanges the code. */
async function tokensFor(resource: string) {
  const client = await createClient();
  const user = await createUser();
  const { code, verifier } = await authorizeWithLogin(
    client,
    user,
    { extra: { resource } },
    new TestBrowser(send),
  );
  const tokens = await expectTokens(
    await token(client, {
      grant_type: "authorization_code",
      code,
      code_verifier: verifier,
      redirect_uri: client.redirect_uri,
    }),
  );
  return { client, tokens };
}

describe("resource indicators (RFC 8707)", () => {
  it("an access token requested for a resource has that resource as its audience", async () => {
    const { tokens } = await tokensFor(API);
    expect(decodeJwt(tokens.access_token).aud).toBe(API);
  });

  it("a refresh may ask for a granted resource, never one outside the grant", async () => {
    const { client, tokens } = await tokensFor(API);
    await expectTokenError(
      await token(client, { grant_type: "refresh_token", refresh_token: tokens.refresh_token as string, resource: OTHER }),
      "invalid_target",
    );
    const narrowed = await expectTokens(
      await token(client, { grant_type: "refresh_token", refresh_token: tokens.refresh_token as string, resource: API }),
    );
    expect(decodeJwt(narrowed.access_token).aud).toBe(API);
  });

  it("a client whose metadata narrows its resources may not ask for the others", async () => {
    const narrowedClient = await send("/admin/clients", {
      method: "POST",
      headers: { Authorization: "Bearer test-admin-token", "Content-Type": "application/json" },
      body: JSON.stringify({ redirect_uris: ["https://rp.example/cb"], resources: [API] }),
    });
    expect(narrowedClient.status).toBe(201);
    const info = (await narrowedClient.json()) as { client_id: string };
    // RFC 9700 §4.11.2: the error reaches the client once the user is signed in.
    const browser = new TestBrowser(send);
    await authorizeWithLogin(await createClient(), await createUser(), {}, browser);
    const params = new URLSearchParams({
      response_type: "code",
      client_id: info.client_id,
      redirect_uri: "https://rp.example/cb",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
      resource: OTHER,
    });
    const res = await browser.fetch(`/authorize?${params}`);
    expect(new URL(res.headers.get("Location") as string).searchParams.get("error")).toBe("invalid_target");
  });
});
