/**
 * An MCP server (Streamable HTTP transport, stateless) whose one endpoint, POST /mcp, takes only
 * Gatehouse access tokens issued for it. Everything OAuth is `gatehouse/resource`: the RFC 9728
 * metadata that tells an MCP client where to get a token, and the bearer check with its
 * challenges. (A Worker outside this repository imports it as "gatehouse/resource".)
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { Hono } from "hono";
import { cors } from "hono/cors";
import {
  type AccessTokenVariables,
  protectedResource,
  type VerifiedAccessToken,
} from "../../../src/resource";

export interface McpServerEnv {
  Bindings: {
    /** The Gatehouse issuer, e.g. https://login.example.com. */
    ISSUER: string;
    /** This server's canonical URI, e.g. https://mcp.example.com/mcp. */
    RESOURCE: string;
  };
  Variables: AccessTokenVariables;
}

/** The scope a client needs to use the tools; clients learn it from the 401 and the metadata. */
export const MCP_SCOPE = "mcp:tools";

// #region protect
const pr = protectedResource<McpServerEnv>({
  resource: (c) => c.env.RESOURCE,
  authorizationServers: (c) => [c.env.ISSUER],
  scopesSupported: [MCP_SCOPE],
  resourceName: "Gatehouse example MCP server",
});

export const app = new Hono<McpServerEnv>();

// Browser-based MCP clients (the MCP Inspector) call from another origin, with a bearer token.
app.use(
  "/mcp",
  cors({
    origin: "*",
    allowMethods: ["POST", "GET", "DELETE", "OPTIONS"],
    allowHeaders: ["Authorization", "Content-Type", "Mcp-Protocol-Version", "Mcp-Session-Id"],
    exposeHeaders: ["WWW-Authenticate", "Mcp-Session-Id"],
  }),
);
app.route("/", pr.metadataRoutes);
app.use("/mcp", pr.requireAccessToken({ scopes: [MCP_SCOPE] }));
// #endregion

app.post("/mcp", async (c) => {
  // Stateless: a server and a transport per request, so no state is shared between callers.
  const server = mcpServer(c.get("accessToken"));
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  return transport.handleRequest(c.req.raw);
});

// No server-initiated stream and no session to end in stateless mode.
app.on(["GET", "DELETE"], "/mcp", (c) =>
  c.json(
    { jsonrpc: "2.0", error: { code: -32000, message: "Method not allowed" }, id: null },
    405,
    { Allow: "POST" },
  ),
);

function mcpServer(token: VerifiedAccessToken): McpServer {
  const server = new McpServer({ name: "gatehouse-example-mcp", version: "0.1.0" });
  server.registerTool(
    "whoami",
    {
      title: "Who am I",
      description: "Says whose access token called this tool: its subject, client and scope.",
    },
    () => {
      const who = { sub: token.sub, client_id: token.clientId, scope: token.scopes.join(" ") };
      return {
        content: [{ type: "text", text: JSON.stringify(who) }],
        structuredContent: who,
      };
    },
  );
  return server;
}
