/**
 * The client configuration endpoint (RFC 7592), through HTTP. `request` is a deployment with
 * REGISTRATION closed: clients register on an open one (createSelfRegisteredClient) and then
 * manage their registration here, which shows the endpoint is served whatever REGISTRATION says.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sha256 } from "../../src/crypto/hash";
import type { ClientRecord } from "../../src/storage/clients";
import { authorizationRequest } from "../helpers/browser";
import { expectTokenError, expectTokens } from "../helpers/codes";
import { createClient, createUser, type ClientInformation, type TestClient } from "../helpers/fixtures";
import { obtainTokens, refreshAs, userinfo } from "../helpers/flow";
import { ORIGIN, request } from "../helpers/http";
import { createSelfRegisteredClient } from "../helpers/registration";
import { loggedSecurityEvents } from "../helpers/security-log";
import { secretsInClear, storedEntries } from "../helpers/stored-secrets";

afterEach(() => vi.restoreAllMocks());

/** The registration access token a self-registered client was given. */
function tokenOf(client: TestClient): string {
  const token = client.metadata.registration_access_token;
  if (token === undefined) throw new Error("no registration_access_token in the registration response");
  return token;
}

/** A call to the client configuration endpoint of `clientId`. */
function configure(
  method: "GET" | "PUT" | "DELETE",
  clientId: string,
  token: string | null,
  body?: unknown,
): Promise<Response> {
  return request(`/register/${encodeURIComponent(clientId)}`, {
    method,
    headers: {
      ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** The metadata a client would PUT: what it registered, under its own id. */
function fullMetadata(client: TestClient, changes: Record<string, unknown> = {}) {
  return {
    client_id: client.client_id,
    client_name: client.metadata.client_name,
    redirect_uris: client.metadata.redirect_uris,
    grant_types: client.metadata.grant_types,
    scope: client.metadata.scope,
    ...changes,
  };
}

/** The page /authorize shows (or the redirect it answers) for `client` and `redirectUri`. */
async function authorize(client: TestClient, redirectUri: string): Promise<Response> {
  const { url } = await authorizationRequest(client, { redirectUri });
  return request(url);
}

describe("the registration response (RFC 7591 §3.2.1, RFC 7592 §3)", () => {
  it("gives a self-registered client a registration access token and its configuration URI", async () => {
    const client = await createSelfRegisteredClient();
    expect(client.metadata.registration_access_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(client.metadata.registration_client_uri).toBe(`${ORIGIN}/register/${client.client_id}`);
  });

  it("gives an operator client (admin API) neither", async () => {
    const client = await createClient();
    expect(client.metadata.registration_access_token).toBeUndefined();
    expect(client.metadata.registration_client_uri).toBeUndefined();
  });

  it("stores the token only as its SHA-256", async () => {
    const client = await createSelfRegisteredClient();
    const token = tokenOf(client);
    // The record's layout is storage's (src/storage/clients.ts); read here only to check the hash.
    const record = await env.CLIENTS.get<ClientRecord>(`client:${client.client_id}`, "json");
    expect(record?.registration_access_token_hash).toBe(await sha256(token));
    const leaks = secretsInClear(await storedEntries(), [
      { kind: "registration access token", value: token },
    ]);
    expect(leaks).toEqual([]);
  });
});

describe("GET /register/:client_id (RFC 7592 §2.1)", () => {
  it("answers the client information, without the secret, never cached", async () => {
    const client = await createSelfRegisteredClient();
    // This deployment has registration closed: no new clients, but registered ones manage theirs.
    expect((await request("/register", { method: "POST" })).status).toBe(404);
    const res = await configure("GET", client.client_id, tokenOf(client));
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const info = (await res.json()) as ClientInformation;
    const { client_secret: _shownOnce, ...registered } = client.metadata;
    expect(info).toEqual(registered);
    expect(info.client_secret).toBeUndefined();
  });
});

describe("PUT /register/:client_id (RFC 7592 §2.2)", () => {
  it("replaces the metadata, and the new redirect URIs take effect at /authorize", async () => {
    const client = await createSelfRegisteredClient({
      redirect_uris: ["https://self.example/old", "https://self.example/kept"],
      client_name: "Before",
    });
    const log = vi.spyOn(console, "log");
    const res = await configure(
      "PUT",
      client.client_id,
      tokenOf(client),
      fullMetadata(client, {
        client_name: undefined,
        redirect_uris: ["https://self.example/kept", "https://self.example/new"],
        scope: "openid",
        // RFC 7592 §2.2: the client may repeat its current secret.
        client_secret: client.client_secret,
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const info = (await res.json()) as ClientInformation;
    expect(info).toMatchObject({
      client_id: client.client_id,
      client_id_issued_at: client.metadata.client_id_issued_at,
      redirect_uris: ["https://self.example/kept", "https://self.example/new"],
      scope: "openid",
      token_endpoint_auth_method: "client_secret_basic",
      registration_access_token: tokenOf(client),
      registration_client_uri: `${ORIGIN}/register/${client.client_id}`,
    });
    // Omitted fields are removed (client_name), never kept from the old registration.
    expect(info.client_name).toBeUndefined();
    expect(info.client_secret).toBeUndefined();
    expect(loggedSecurityEvents(log)).toContainEqual(
      expect.objectContaining({ type: "registration.updated", client_id: client.client_id }),
    );

    const added = await authorize(client, "https://self.example/new");
    expect(added.status).toBe(200);
    expect(await added.text()).toContain('name="password"');
    const removed = await authorize(client, "https://self.example/old");
    expect(removed.status).toBe(400);
    expect(await removed.text()).toContain("redirect_uri");
    expect(removed.headers.get("Location")).toBeNull();
    // A read shows what the update stored.
    const read = (await (await configure("GET", client.client_id, tokenOf(client))).json()) as ClientInformation;
    expect(read.redirect_uris).toEqual(["https://self.example/kept", "https://self.example/new"]);
  });

  it("keeps the secret of a confidential client, which still authenticates", async () => {
    const client = await createSelfRegisteredClient();
    const user = await createUser();
    const tokens = await obtainTokens(client, user);
    const res = await configure("PUT", client.client_id, tokenOf(client), fullMetadata(client, { client_name: "Renamed" }));
    expect(res.status).toBe(200);
    await expectTokens(await refreshAs(client, tokens.refresh_token ?? ""));
  });

  it("ends the grants an update narrows (a scope taken away, a confidential client made public)", async () => {
    for (const changes of [{ scope: "openid" }, { token_endpoint_auth_method: "none" }]) {
      const client = await createSelfRegisteredClient();
      const user = await createUser();
      const tokens = await obtainTokens(client, user);
      const log = vi.spyOn(console, "log");
      const res = await configure("PUT", client.client_id, tokenOf(client), fullMetadata(client, changes));
      expect(res.status, JSON.stringify(changes)).toBe(200);
      expect(loggedSecurityEvents(log)).toContainEqual(
        expect.objectContaining({ type: "grant.revoked", client_id: client.client_id, reason: "client_updated", count: 1 }),
      );
      expect((await userinfo(tokens.access_token)).status, JSON.stringify(changes)).toBe(401);
      const updated = { ...client, metadata: (await res.json()) as ClientInformation };
      if (changes.scope === undefined) delete updated.client_secret;
      const refreshed = await refreshAs(updated, tokens.refresh_token ?? "");
      expect(refreshed.status, JSON.stringify(changes)).toBe(400);
      expect(await refreshed.json()).toMatchObject({ error: "invalid_grant" });
      vi.restoreAllMocks();
    }
  });

  it("issues a secret, once, when a public client becomes confidential, and drops it when it becomes public", async () => {
    const client = await createSelfRegisteredClient({ token_endpoint_auth_method: "none" });
    expect(client.client_secret).toBeUndefined();
    const toConfidential = await configure(
      "PUT",
      client.client_id,
      tokenOf(client),
      fullMetadata(client, { token_endpoint_auth_method: "client_secret_post" }),
    );
    expect(toConfidential.status).toBe(200);
    const confidential = (await toConfidential.json()) as ClientInformation;
    expect(confidential.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(confidential.client_secret_expires_at).toBe(0);

    // Left out, the method defaults to client_secret_basic: the secret issued above is kept.
    const basic = await configure("PUT", client.client_id, tokenOf(client), fullMetadata(client));
    expect(basic.status).toBe(200);
    const stillConfidential = (await basic.json()) as ClientInformation;
    expect(stillConfidential.token_endpoint_auth_method).toBe("client_secret_basic");
    expect(stillConfidential.client_secret).toBeUndefined();
    expect(stillConfidential.client_secret_expires_at).toBe(0);
    const none = await configure(
      "PUT",
      client.client_id,
      tokenOf(client),
      fullMetadata(client, { token_endpoint_auth_method: "none" }),
    );
    expect(none.status).toBe(200);
    const publicAgain = (await none.json()) as ClientInformation;
    expect(publicAgain.client_secret_expires_at).toBeUndefined();
    const record = await env.CLIENTS.get<ClientRecord>(`client:${client.client_id}`, "json");
    expect(record?.client_secret_hash).toBeUndefined();
  });

  it("refuses a body whose client_id is missing or another client's, and changes nothing", async () => {
    const client = await createSelfRegisteredClient();
    const other = await createSelfRegisteredClient();
    for (const client_id of [other.client_id, undefined, 42]) {
      const res = await configure(
        "PUT",
        client.client_id,
        tokenOf(client),
        fullMetadata(client, { client_id, redirect_uris: ["https://self.example/changed"] }),
      );
      await expectTokenError(res, "invalid_client_metadata");
    }
    const read = (await (await configure("GET", client.client_id, tokenOf(client))).json()) as ClientInformation;
    expect(read.redirect_uris).toEqual(client.metadata.redirect_uris);
  });

  it("refuses a client_secret that is not the current one (a client cannot choose its secret)", async () => {
    const client = await createSelfRegisteredClient();
    const res = await configure(
      "PUT",
      client.client_id,
      tokenOf(client),
      fullMetadata(client, { client_secret: "chosen-by-the-client-0123456789" }),
    );
    await expectTokenError(res, "invalid_client_metadata");
  });

  it("holds the metadata to the registration rules (RFC 7591 §3.2.2)", async () => {
    const client = await createSelfRegisteredClient();
    const token = tokenOf(client);
    const put = (changes: Record<string, unknown>) =>
      configure("PUT", client.client_id, token, fullMetadata(client, changes));
    await expectTokenError(await put({ redirect_uris: ["http://evil.example/cb"] }), "invalid_redirect_uri");
    await expectTokenError(await put({ redirect_uris: [] }), "invalid_redirect_uri");
    await expectTokenError(await put({ grant_types: ["refresh_token"] }), "invalid_client_metadata");
    await expectTokenError(await put({ introspection: "any" }), "invalid_client_metadata");
    await expectTokenError(
      await configure("PUT", client.client_id, token, ["not", "an", "object"]),
      "invalid_client_metadata",
    );
    const read = (await (await configure("GET", client.client_id, token)).json()) as ClientInformation;
    expect(read.redirect_uris).toEqual(client.metadata.redirect_uris);
  });
});

describe("DELETE /register/:client_id (RFC 7592 §2.3)", () => {
  it("deletes the client, ends its grants and its token", async () => {
    const client = await createSelfRegisteredClient();
    const user = await createUser();
    const tokens = await obtainTokens(client, user);
    expect((await userinfo(tokens.access_token)).status).toBe(200);

    const log = vi.spyOn(console, "log");
    const res = await configure("DELETE", client.client_id, tokenOf(client));
    expect(res.status).toBe(204);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(await res.text()).toBe("");
    expect(loggedSecurityEvents(log)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: "registration.deleted", client_id: client.client_id }),
        expect.objectContaining({ type: "grant.revoked", client_id: client.client_id, reason: "client_deleted", count: 1 }),
      ]),
    );

    // The authorization endpoint no longer knows the client: an error page, never a redirect.
    const page = await authorize(client, client.redirect_uri);
    expect(page.status).toBeGreaterThanOrEqual(400);
    expect(page.status).toBeLessThan(500);
    expect(page.headers.get("Content-Type")).toMatch(/text\/html/);
    expect(page.headers.get("Location")).toBeNull();
    expect(await page.text()).toContain("invalid_client");
    // Its refresh token is refused, and its access token's grant is gone.
    await expectTokenError(await refreshAs(client, tokens.refresh_token ?? ""), "invalid_client", 401);
    expect((await userinfo(tokens.access_token)).status).toBe(401);
    // The token is gone with the registration.
    expect((await configure("GET", client.client_id, tokenOf(client))).status).toBe(401);
  });
});

describe("the registration access token (RFC 7592 §2, RFC 6750 §3)", () => {
  /** What a 401 says, less nothing: status, body and the headers a client sees. */
  async function answer(res: Response) {
    return {
      status: res.status,
      body: await res.text(),
      challenge: res.headers.get("WWW-Authenticate"),
      cache: res.headers.get("Cache-Control"),
    };
  }

  it("answers every wrong case with the same 401 invalid_token, for every method", async () => {
    const client = await createSelfRegisteredClient();
    const other = await createSelfRegisteredClient();
    const operator = await createClient();
    const deleted = await createSelfRegisteredClient();
    expect((await configure("DELETE", deleted.client_id, tokenOf(deleted))).status).toBe(204);

    const cases: [string, string][] = [
      [client.client_id, "wrong-token-0123456789abcdefghijklmnopqrstu"], // wrong token
      [client.client_id, tokenOf(other)], // another client's token
      [client.client_id, tokenOf(client).slice(0, -1)], // a prefix of the right one
      ["unknown-client-id-0123456", tokenOf(client)], // unknown client
      [operator.client_id, tokenOf(client)], // an operator client: it has no token
      [deleted.client_id, tokenOf(deleted)], // a deleted client
      ["../admin/clients", tokenOf(client)], // not a client id at all
    ];
    const expected = {
      status: 401,
      body: JSON.stringify({
        error: "invalid_token",
        error_description: "A valid registration access token for this client is required",
      }),
      challenge: expect.stringMatching(/^Bearer realm="gatehouse-registration", error="invalid_token"/),
      cache: "no-store",
    };
    const answers = [];
    for (const method of ["GET", "PUT", "DELETE"] as const) {
      for (const [clientId, token] of cases) {
        const body = method === "PUT" ? fullMetadata(client, { client_id: clientId }) : undefined;
        answers.push(await answer(await configure(method, clientId, token, body)));
      }
    }
    for (const a of answers) expect(a).toEqual(expected);
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    // Nothing changed: the client is still there as registered.
    expect((await configure("GET", client.client_id, tokenOf(client))).status).toBe(200);
  });

  it("answers a request without a token 401 with a bare challenge (RFC 6750 §3.1)", async () => {
    const client = await createSelfRegisteredClient();
    for (const clientId of [client.client_id, "unknown-client-id-0123456"]) {
      const res = await configure("GET", clientId, null);
      expect(res.status).toBe(401);
      expect(res.headers.get("WWW-Authenticate")).toBe('Bearer realm="gatehouse-registration"');
      expect(res.headers.get("Cache-Control")).toBe("no-store");
      expect(await res.json()).toMatchObject({ error: "invalid_token" });
    }
    // Another scheme is no bearer token either.
    const basic = await request(`/register/${client.client_id}`, {
      headers: { Authorization: `Basic ${btoa(`${client.client_id}:${client.client_secret}`)}` },
    });
    expect(basic.status).toBe(401);
    expect(basic.headers.get("WWW-Authenticate")).toBe('Bearer realm="gatehouse-registration"');
  });
});

describe("malformed updates (DESIGN: bad input never yields a 500)", () => {
  it("answers each with a 4xx JSON error and leaves the registration as it was", async () => {
    const client = await createSelfRegisteredClient();
    const token = tokenOf(client);
    const bodies = [
      "",
      "{",
      "null",
      '"string"',
      '{"__proto__":{"client_id":"x"},"redirect_uris":["https://a.example/cb"]}',
      JSON.stringify({ client_id: client.client_id, redirect_uris: "https://self.example/cb" }),
      JSON.stringify({ client_id: client.client_id, redirect_uris: ["https://self.example/cb"], pad: "x".repeat(200_000) }),
    ];
    for (const body of bodies) {
      for (const type of ["application/json", "text/plain", "application/x-www-form-urlencoded"]) {
        const res = await request(`/register/${client.client_id}`, {
          method: "PUT",
          headers: { Authorization: `Bearer ${token}`, "Content-Type": type },
          body,
        });
        const what = `${type} ${body.slice(0, 40)}`;
        expect(res.status, what).toBeGreaterThanOrEqual(400);
        expect(res.status, what).toBeLessThan(500);
        expect(res.headers.get("Cache-Control"), what).toBe("no-store");
        expect(((await res.json()) as { error?: string }).error, what).toBeTruthy();
      }
    }
    const read = (await (await configure("GET", client.client_id, token)).json()) as ClientInformation;
    expect(read.redirect_uris).toEqual(client.metadata.redirect_uris);
  });
});
