/**
 * The example API (examples/api-worker, docs/guides/api-worker.md) with tokens Gatehouse issues:
 * a user's through the authorization code flow and a service's through client_credentials, each
 * asked for the API with RFC 8707 `resource`, and the tokens it must refuse.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { app } from "../../examples/api-worker/src/app";
import { expectTokenError, expectTokens } from "../helpers/codes";
import { EXAMPLE_API, routeExampleFetches } from "../helpers/example-network";
import { createClient } from "../helpers/fixtures";
import { challengeParams } from "../helpers/challenge";
import { ORIGIN } from "../helpers/http";
import { CLIENT_CREDENTIALS, REPORTS, createMachineClient, tokenAs, userTokens } from "../helpers/machine";

const vars = { ISSUER: ORIGIN, RESOURCE: EXAMPLE_API };

// The API fetches Gatehouse's JWKS at <ISSUER>/jwks.json, as it would over the network.
beforeAll(() => routeExampleFetches());
afterAll(() => {
  vi.restoreAllMocks();
});

async function call(path: string, token?: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token !== undefined) headers.set("Authorization", `Bearer ${token}`);
  return app.request(`${EXAMPLE_API}${path}`, { ...init, headers }, vars);
}

/** A user's access token from the browser flow, asked for `resource` with `scope`. */
async function userToken(scope: string, resource: string[] = [EXAMPLE_API]) {
  const client = await createClient({ scope: "openid reports:read reports:write" });
  const { user, tokens } = await userTokens(client, { scope, resource });
  return { user, token: tokens.access_token };
}

/** A service's access token (client_credentials) for the API. */
async function serviceToken(scope: string) {
  const client = await createMachineClient({ scope });
  const tokens = await expectTokens(
    await tokenAs(client, { grant_type: CLIENT_CREDENTIALS, resource: EXAMPLE_API }),
  );
  return { client, token: tokens.access_token };
}

const METADATA_URL = `${EXAMPLE_API}/.well-known/oauth-protected-resource`;

describe("the example API behind gatehouse/resource", () => {
  it("serves its protected resource metadata naming Gatehouse and its scopes (RFC 9728 §2, §3)", async () => {
    const res = await app.request(METADATA_URL, {}, vars);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      resource: EXAMPLE_API,
      authorization_servers: [ORIGIN],
      scopes_supported: ["reports:read", "reports:write"],
      bearer_methods_supported: ["header"],
      resource_name: "Reports API",
    });
  });

  it("answers a request without a token with 401 naming its metadata (RFC 9728 §5.1, RFC 6750 §3)", async () => {
    const res = await call("/reports");
    expect(res.status).toBe(401);
    expect(challengeParams(res)).toEqual({
      realm: EXAMPLE_API,
      scope: "reports:read",
      resource_metadata: METADATA_URL,
    });
  });

  it("serves a user's token issued for it, within the token's scopes; a missing scope is 403 insufficient_scope", async () => {
    const { user, token } = await userToken("reports:read");
    const me = await call("/me", token);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ sub: user.sub, scope: "reports:read", kind: "user" });

    const reports = await call("/reports", token);
    expect(reports.status).toBe(200);
    expect((await reports.json<{ reports: unknown[] }>()).reports).toHaveLength(2);

    const write = await call("/reports", token, { method: "POST", body: JSON.stringify({ title: "Q1" }) });
    expect(write.status).toBe(403);
    expect(challengeParams(write)).toMatchObject({ error: "insufficient_scope", scope: "reports:write" });
  });

  it("refuses tokens Gatehouse issued for another audience with 401 invalid_token (RFC 8707 §2)", async () => {
    // Without `resource` the audience is the issuer (Gatehouse's own APIs); and another API's.
    for (const resource of [[], [REPORTS]]) {
      const { token } = await userToken("reports:read", resource);
      const res = await call("/reports", token);
      expect(res.status, resource.join()).toBe(401);
      expect(challengeParams(res)).toMatchObject({ error: "invalid_token", resource_metadata: METADATA_URL });
    }
  });

  it("serves a service's client_credentials token, whose subject is the client, never a user", async () => {
    const { client, token } = await serviceToken("reports:read reports:write");
    const me = await call("/me", token);
    expect(await me.json()).toMatchObject({ sub: `client:${client.client_id}`, kind: "service" });
    const write = await call("/reports", token, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ title: "Nightly" }),
    });
    expect(write.status).toBe(201);
    expect(await write.json()).toMatchObject({ title: "Nightly", author: `client:${client.client_id}` });
  });

  it("is only a resource once Gatehouse's RESOURCES lists it: another one is invalid_target (RFC 8707 §2)", async () => {
    const client = await createMachineClient({ scope: "reports:read" });
    await expectTokenError(
      await tokenAs(client, { grant_type: CLIENT_CREDENTIALS, resource: "https://unlisted.example.com" }),
      "invalid_target",
    );
  });

  it("lets a browser app on another origin call it with a bearer token (CORS preflight)", async () => {
    const res = await app.request(
      `${EXAMPLE_API}/reports`,
      {
        method: "OPTIONS",
        headers: {
          Origin: "https://app.example.com",
          "Access-Control-Request-Method": "GET",
          "Access-Control-Request-Headers": "authorization",
        },
      },
      vars,
    );
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(res.headers.get("Access-Control-Allow-Headers")?.toLowerCase()).toContain("authorization");
    expect(res.headers.has("Access-Control-Allow-Credentials")).toBe(false);
  });
});
