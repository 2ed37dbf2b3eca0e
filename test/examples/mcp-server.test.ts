/**
 * The example MCP server (examples/mcp-server) with tokens Gatehouse issues through its public
 * flow: what an MCP client meets before and after it has authorized.
 */
import { exports } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { app, MCP_SCOPE } from "../../examples/mcp-server/src/app";
import { createClient, createUser } from "../helpers/fixtures";
import { startGrant } from "../helpers/grants";
import { challengeParams } from "../helpers/challenge";
import { ORIGIN } from "../helpers/http";

const RESOURCE = "https://mcp.example/mcp";
const METADATA_URL = "https://mcp.example/.well-known/oauth-protected-resource/mcp";
const vars = { ISSUER: ORIGIN, RESOURCE };

// The example fetches Gatehouse's JWKS at <ISSUER>/jwks.json, as it would over the network:
// requests to the issuer go to the Gatehouse Worker under test.
beforeAll(() => {
  const fetch = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
    const req = new Request(input, init);
    return new URL(req.url).origin === ORIGIN ? exports.default.fetch(req) : fetch(req);
  });
});
afterAll(() => {
  vi.restoreAllMocks();
});

let nextId = 1;
async function rpc(method: string, params: Record<string, unknown>, token?: string): Promise<Response> {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    Accept: "application/json, text/event-stream",
  };
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  return app.request(
    RESOURCE,
    { method: "POST", headers, body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }) },
    vars,
  );
}

const initialize = (token?: string) =>
  rpc(
    "initialize",
    { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "test", version: "1" } },
    token,
  );

async function tokenFor(resource: string[], scope: string[]) {
  const client = await createClient({ scope: `openid ${MCP_SCOPE}` });
  const user = await createUser();
  const grant = await startGrant({ client, user, code: { scope, resource } });
  return { token: grant.accessToken, user };
}

describe("the example MCP server behind gatehouse/resource", () => {
  it("serves its protected resource metadata naming Gatehouse (RFC 9728)", async () => {
    const res = await app.request(METADATA_URL, {}, vars);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      resource: RESOURCE,
      authorization_servers: [ORIGIN],
      scopes_supported: [MCP_SCOPE],
      bearer_methods_supported: ["header"],
      resource_name: "Gatehouse example MCP server",
    });
  });

  it("answers an MCP request without a token with 401 naming the metadata and the scope", async () => {
    const res = await initialize();
    expect(res.status).toBe(401);
    expect(challengeParams(res)).toEqual({
      realm: RESOURCE,
      scope: MCP_SCOPE,
      resource_metadata: METADATA_URL,
    });
  });

  it("serves initialize, tools/list and whoami to a token Gatehouse issued for it", async () => {
    const { token, user } = await tokenFor([RESOURCE], [MCP_SCOPE]);
    const init = await initialize(token);
    expect(init.status).toBe(200);
    const initBody = await init.json<{ result: { serverInfo: { name: string } } }>();
    expect(initBody.result.serverInfo.name).toBe("gatehouse-example-mcp");

    const list = await rpc("tools/list", {}, token);
    const tools = (await list.json<{ result: { tools: { name: string }[] } }>()).result.tools;
    expect(tools.map((t) => t.name)).toEqual(["whoami"]);

    const call = await rpc("tools/call", { name: "whoami", arguments: {} }, token);
    expect(call.status).toBe(200);
    const result = (await call.json<{ result: { structuredContent: Record<string, string> } }>()).result;
    expect(result.structuredContent.sub).toBe(user.sub);
    expect(result.structuredContent.scope).toBe(MCP_SCOPE);
  });

  it("refuses a token Gatehouse issued for another resource with 401 invalid_token", async () => {
    // Gatehouse's own API's token (audience: the issuer), and one for another server.
    for (const resource of [[], ["https://other.example/mcp"]]) {
      const { token } = await tokenFor(resource, [MCP_SCOPE]);
      const res = await initialize(token);
      expect(res.status, resource.join()).toBe(401);
      expect(challengeParams(res).error).toBe("invalid_token");
      expect(challengeParams(res).resource_metadata).toBe(METADATA_URL);
    }
  });

  it("answers a token without the scope with 403 insufficient_scope naming it", async () => {
    const { token } = await tokenFor([RESOURCE], ["openid"]);
    const res = await initialize(token);
    expect(res.status).toBe(403);
    expect(challengeParams(res).error).toBe("insufficient_scope");
    expect(challengeParams(res).scope).toBe(MCP_SCOPE);
  });
});
