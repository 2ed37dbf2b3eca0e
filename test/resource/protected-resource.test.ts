import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import {
  type AccessTokenVariables,
  protectedResource,
  protectedResourceMetadataUrl,
} from "../../src/resource";
import { getVerificationKeys } from "../../src/storage/keys";
import { ORIGIN, request } from "../helpers/http";
import { signedToken } from "../helpers/signed-token";

interface Metadata {
  resource: string;
  authorization_servers: string[];
  scopes_supported?: string[];
  bearer_methods_supported: string[];
  resource_name?: string;
}

/** The parameters of a `WWW-Authenticate: Bearer` challenge (RFC 6750 §3), by name. */
function challengeParams(res: Response): Record<string, string> {
  const header = res.headers.get("WWW-Authenticate") ?? "";
  expect(header).toMatch(/^Bearer /);
  return Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}

describe("protected resource metadata of Gatehouse's example API (RFC 9728)", () => {
  it("is served at the root well-known URI, the resource being the issuer (§3.1)", async () => {
    const res = await request("/.well-known/oauth-protected-resource", {
      headers: { Origin: "https://client.example" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(res.headers.get("Cache-Control")).toBe("public, max-age=300");
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(await res.json()).toEqual({
      resource: ORIGIN,
      authorization_servers: [ORIGIN],
      bearer_methods_supported: ["header"],
      resource_name: "Gatehouse example API",
    });
  });

  it("names that document in the 401 of /api/me, and it describes the tokens /api/me takes", async () => {
    const res = await request("/api/me");
    expect(res.status).toBe(401);
    const params = challengeParams(res);
    expect(params.error).toBeUndefined();
    expect(params.resource_metadata).toBe(`${ORIGIN}/.well-known/oauth-protected-resource`);
    // A client follows it (RFC 9728 §5.1) and asks the named server for a token for `resource`.
    const metadata = await (await request(params.resource_metadata!)).json<Metadata>();
    const token = await signedToken(env, {
      claims: { iss: metadata.authorization_servers[0], aud: metadata.resource },
    });
    expect((await request("/api/me", { headers: { Authorization: `Bearer ${token}` } })).status).toBe(
      200,
    );
  });

  it("answers a CORS preflight for the document", async () => {
    const res = await request("/.well-known/oauth-protected-resource", {
      method: "OPTIONS",
      headers: { Origin: "https://client.example", "Access-Control-Request-Method": "GET" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
  });
});

describe("protectedResource in another Worker (an MCP server)", () => {
  const RESOURCE = "https://mcp.example/mcp";
  const pr = protectedResource({
    resource: RESOURCE,
    authorizationServers: [ORIGIN],
    keysFor: () => getVerificationKeys(env),
    scopesSupported: ["mcp:tools", "mcp:read"],
    resourceName: "Example MCP server",
  });
  const other = protectedResource({
    resource: "https://mcp.example/files/",
    authorizationServers: [ORIGIN],
    keysFor: () => getVerificationKeys(env),
  });
  const app = new Hono<{ Variables: AccessTokenVariables }>();
  app.route("/", pr.metadataRoutes);
  app.route("/", other.metadataRoutes);
  app.use("/mcp", pr.requireAccessToken({ scopes: ["mcp:tools", "mcp:read"] }));
  app.post("/mcp", (c) => c.json({ sub: c.get("accessToken").sub }));

  const get = (path: string) => app.request(new URL(path, "https://mcp.example").href);
  const call = (authorization?: string) =>
    app.request(RESOURCE, {
      method: "POST",
      headers: authorization === undefined ? {} : { Authorization: authorization },
    });
  const token = (claims: Record<string, unknown>) =>
    signedToken(env, { claims: { aud: RESOURCE, scope: "mcp:tools mcp:read", ...claims } });
  const METADATA_URL = "https://mcp.example/.well-known/oauth-protected-resource/mcp";

  it("serves its metadata at the path-aware well-known URI (§3.1) and at the root", async () => {
    const expected: Metadata = {
      resource: RESOURCE,
      authorization_servers: [ORIGIN],
      scopes_supported: ["mcp:tools", "mcp:read"],
      bearer_methods_supported: ["header"],
      resource_name: "Example MCP server",
    };
    for (const path of ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"]) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("Cache-Control"), path).toBe("public, max-age=300");
      expect(await res.json(), path).toEqual(expected);
    }
  });

  it("leaves another resource's document to that resource, and 404s an unknown one", async () => {
    const files = await get("/.well-known/oauth-protected-resource/files");
    expect(files.status).toBe(200);
    const doc = await files.json<Metadata>();
    expect(doc.resource).toBe("https://mcp.example/files/");
    expect(doc.scopes_supported).toBeUndefined();
    expect((await get("/.well-known/oauth-protected-resource/nothing")).status).toBe(404);
  });

  it("derives the metadata URL by RFC 9728 §3.1", () => {
    expect(protectedResourceMetadataUrl("https://a.example")).toBe(
      "https://a.example/.well-known/oauth-protected-resource",
    );
    expect(protectedResourceMetadataUrl("https://a.example/")).toBe(
      "https://a.example/.well-known/oauth-protected-resource",
    );
    expect(protectedResourceMetadataUrl("https://a.example:8443/tenant/mcp/")).toBe(
      "https://a.example:8443/.well-known/oauth-protected-resource/tenant/mcp",
    );
  });

  it("challenges a request without a token with resource_metadata and the scopes (§5.1)", async () => {
    const res = await call();
    expect(res.status).toBe(401);
    const params = challengeParams(res);
    expect(params).toEqual({
      realm: RESOURCE,
      scope: "mcp:tools mcp:read",
      resource_metadata: METADATA_URL,
    });
  });

  it("answers a refused token with invalid_token, resource_metadata and the scopes", async () => {
    for (const authorization of ["Bearer not-a-jwt", `Bearer ${await token({ exp: 1 })}`]) {
      const res = await call(authorization);
      expect(res.status, authorization).toBe(401);
      const params = challengeParams(res);
      expect(params.error).toBe("invalid_token");
      expect(params.resource_metadata).toBe(METADATA_URL);
      expect(params.scope).toBe("mcp:tools mcp:read");
    }
  });

  it("accepts a token whose aud contains the resource", async () => {
    expect((await call(`Bearer ${await token({})}`)).status).toBe(200);
    const both = await token({ aud: ["https://elsewhere.example", RESOURCE] });
    expect((await call(`Bearer ${both}`)).status).toBe(200);
  });

  it("refuses a token for another resource with 401 invalid_token (RFC 8707, RFC 9068 §4)", async () => {
    for (const aud of [ORIGIN, "https://mcp.example/files/", "https://mcp.example/mcp/", "https://mcp.example"]) {
      const res = await call(`Bearer ${await token({ aud })}`);
      expect(res.status, aud).toBe(401);
      expect(challengeParams(res).error, aud).toBe("invalid_token");
    }
  });

  it("answers 403 insufficient_scope naming every scope the operation needs (RFC 6750 §3.1)", async () => {
    for (const scope of ["mcp:tools", "mcp:read", "openid", ""]) {
      const res = await call(`Bearer ${await token({ scope })}`);
      expect(res.status, scope).toBe(403);
      const params = challengeParams(res);
      expect(params.error).toBe("insufficient_scope");
      expect(params.scope).toBe("mcp:tools mcp:read");
      expect(params.resource_metadata).toBe(METADATA_URL);
      expect((await res.json<{ error: string }>()).error).toBe("insufficient_scope");
    }
  });

  it("refuses a token from an issuer it does not list, fetching nothing", async () => {
    // No keysFor: the key set is chosen by the token's issuer, only among the listed ones.
    const strict = protectedResource({ resource: RESOURCE, authorizationServers: ["https://login.example"] });
    const api = new Hono();
    api.use("/mcp", strict.requireAccessToken());
    api.post("/mcp", (c) => c.text("ok"));
    const forged = await token({ iss: "https://evil.example" });
    const res = await api.request(RESOURCE, {
      method: "POST",
      headers: { Authorization: `Bearer ${forged}` },
    });
    expect(res.status).toBe(401);
    expect(challengeParams(res).error).toBe("invalid_token");
    // The same token is refused by the resource that lists Gatehouse only for its issuer.
    expect((await call(`Bearer ${forged}`)).status).toBe(401);
  });

  it("refuses to be set up with a resource that is not an https URI without fragment", () => {
    for (const resource of ["http://mcp.example/mcp", "https://mcp.example/mcp#x", "mcp", "https://mcp.example/#"]) {
      expect(() => protectedResource({ resource, authorizationServers: [ORIGIN] }), resource).toThrow(
        TypeError,
      );
    }
    expect(() =>
      protectedResource({ resource: "http://127.0.0.1:8788/mcp", authorizationServers: [ORIGIN] }),
    ).not.toThrow();
  });
});
