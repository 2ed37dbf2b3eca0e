// The peer: @cloudflare/workers-oauth-provider (OAuthProvider, one Worker that is both the
// authorization server and its only resource). Its defaultHandler stands in for the login and
// consent pages by approving at once for the user named in the `bench_user` cookie, which is
// cheaper than Gatehouse's sealed session and remembered consent: the comparison favours the peer.
import { OAuthProvider, type OAuthHelpers } from "@cloudflare/workers-oauth-provider";

type Env = { OAUTH_KV: KVNamespace; OAUTH_PROVIDER: OAuthHelpers };

const defaultHandler = {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (new URL(request.url).pathname !== "/authorize") return new Response("not found", { status: 404 });
    const oauthRequest = await env.OAUTH_PROVIDER.parseAuthRequest(request);
    const userId = /(?:^|;\s*)bench_user=([\w-]+)/.exec(request.headers.get("Cookie") ?? "")?.[1] ?? "bench";
    const { redirectTo } = await env.OAUTH_PROVIDER.completeAuthorization({
      request: oauthRequest,
      userId,
      metadata: {},
      scope: oauthRequest.scope,
      props: { userId },
    });
    return Response.redirect(redirectTo, 302);
  },
};

const apiHandler = {
  async fetch(_request: Request, _env: Env, ctx: ExecutionContext & { props?: { userId: string } }): Promise<Response> {
    return Response.json({ sub: ctx.props?.userId });
  },
};

// The resource must be this Worker's own origin, known only once a request arrives (the
// benchmark picks a free port), so the provider is built on the first request.
let provider: OAuthProvider<Env> | undefined;

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const origin = new URL(request.url).origin;
    provider ??= new OAuthProvider<Env>({
      apiRoute: "/api/",
      apiHandler,
      defaultHandler,
      authorizeEndpoint: "/authorize",
      tokenEndpoint: "/oauth/token",
      clientRegistrationEndpoint: "/oauth/register",
      resourceMetadata: { resource: `${origin}/api/`, authorization_servers: [origin] },
    });
    return provider.fetch(request, env, ctx);
  },
};
