/**
 * The web servers where clients publish their metadata documents
 * (draft-ietf-oauth-client-id-metadata-document-02), stood in for by one handler. In the test
 * runtime every outbound fetch (the Worker's and the tests') leaves workerd through miniflare's
 * `outboundService`, which vitest.config.ts sets to `clientWebServer`: it runs in Node, keeps
 * what the tests publish, and answers the Worker's fetches with it. This mocks the remote
 * clients' web servers only; Gatehouse's own fetch, guards and cache run unchanged.
 *
 * Tests publish through a control host that only this handler knows (plain fetches from the
 * test), each under a URL of its own, so that test files running side by side never meet.
 * It also stands in for clients' back-channel logout endpoints: every request to a published
 * URL is recorded (method, Content-Type, body), and the first `failFirst` get a 503.
 */
import type { TestClient, ClientInformation } from "./fixtures";

const CONTROL_ORIGIN = "http://client-web-server.control";

/** What a published URL answers. */
export interface PublishedResponse {
  status?: number;
  headers?: Record<string, string>;
  /** The body as sent; default: the document as JSON. */
  body?: string;
  /** Waits this long before answering (a slow or hanging server). */
  delayMs?: number;
  /** Answers the first this many requests with 503 (a server that fails, then recovers). */
  failFirst?: number;
}

/** A request a published URL received. */
export interface ReceivedRequest {
  method: string;
  contentType: string | null;
  body: string;
}

interface Published {
  status: number;
  headers: Record<string, string>;
  body: string;
  delayMs: number;
  failFirst: number;
  hits: number;
  received: ReceivedRequest[];
}

const published = new Map<string, Published>();

/** The Node side: miniflare's outboundService (vitest.config.ts). */
export async function clientWebServer(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.origin === CONTROL_ORIGIN && url.pathname === "/publish") {
    const { target, response } = (await request.json()) as { target: string; response: Published };
    published.set(target, { ...response, hits: 0, received: [] });
    return new Response(null, { status: 204 });
  }
  if (url.origin === CONTROL_ORIGIN && url.pathname === "/hits") {
    return Response.json({ hits: published.get(url.searchParams.get("url") ?? "")?.hits ?? 0 });
  }
  if (url.origin === CONTROL_ORIGIN && url.pathname === "/received") {
    return Response.json(published.get(url.searchParams.get("url") ?? "")?.received ?? []);
  }
  const entry = published.get(request.url);
  if (entry === undefined) return new Response("Not found", { status: 404 });
  entry.hits++;
  entry.received.push({
    method: request.method,
    contentType: request.headers.get("Content-Type"),
    body: await request.text(),
  });
  if (entry.hits <= entry.failFirst) return new Response("Unavailable", { status: 503 });
  if (entry.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, entry.delayMs));
  return new Response(entry.body, { status: entry.status, headers: entry.headers });
}

/** Publishes `document` at `url` (as JSON with a 200, unless `response` says otherwise). */
export async function publishDocument(
  url: string,
  document: unknown,
  response: PublishedResponse = {},
): Promise<void> {
  const body: Published = {
    status: response.status ?? 200,
    headers: response.headers ?? { "Content-Type": "application/json" },
    body: response.body ?? JSON.stringify(document),
    delayMs: response.delayMs ?? 0,
    failFirst: response.failFirst ?? 0,
    hits: 0,
    received: [],
  };
  const res = await fetch(`${CONTROL_ORIGIN}/publish`, {
    method: "POST",
    body: JSON.stringify({ target: url, response: body }),
  });
  if (res.status !== 204) throw new Error(`publishDocument: ${res.status}`);
}

/** How many times `url` was fetched since it was (last) published. */
export async function documentHits(url: string): Promise<number> {
  const res = await fetch(`${CONTROL_ORIGIN}/hits?url=${encodeURIComponent(url)}`);
  return ((await res.json()) as { hits: number }).hits;
}

/** Every request `url` received since it was (last) published, oldest first. */
export async function receivedRequests(url: string): Promise<ReceivedRequest[]> {
  const res = await fetch(`${CONTROL_ORIGIN}/received?url=${encodeURIComponent(url)}`);
  return (await res.json()) as ReceivedRequest[];
}

/**
 * Waits until `url` has received at least `count` requests (work the Worker does after its
 * response, in waitUntil); returns them. Fails after `timeoutMs`.
 */
export async function awaitRequests(
  url: string,
  count: number,
  timeoutMs = 8000,
): Promise<ReceivedRequest[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const received = await receivedRequests(url);
    if (received.length >= count) return received;
    if (Date.now() > deadline) {
      throw new Error(`${url}: ${received.length} request(s) after ${timeoutMs} ms, expected ${count}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A fresh client_id URL on a public-looking host. */
export function documentUrl(): string {
  return `https://clients.example.com/${crypto.randomUUID()}/client.json`;
}

/**
 * A client identified by its metadata document, published at a fresh URL: public ("none"),
 * redirect URI https://app.example.org/callback, authorization_code and refresh_token, unless
 * `overrides` says otherwise. Usable with the flow helpers (obtainCode, redeem, refreshAs).
 */
export async function createDocumentClient(
  overrides: Record<string, unknown> = {},
  response: PublishedResponse = {},
): Promise<TestClient & { document: Record<string, unknown> }> {
  const clientId = documentUrl();
  const document: Record<string, unknown> = {
    client_id: clientId,
    client_name: "Document client",
    redirect_uris: ["https://app.example.org/callback"],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    token_endpoint_auth_method: "none",
    ...overrides,
  };
  await publishDocument(clientId, document, response);
  const redirectUris = (document.redirect_uris as string[] | undefined) ?? [];
  return {
    client_id: clientId,
    redirect_uri: redirectUris[0] ?? "https://app.example.org/callback",
    metadata: { ...document, token_endpoint_auth_method: "none" } as unknown as ClientInformation,
    document,
  };
}
