/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document-02): a client whose
 * client_id is an https URL publishes its registration at that URL. This module is the external
 * store of those registrations: it fetches a document under the SSRF guards of §8.6 and keeps it
 * for as long as HTTP caching allows (§5.2). What the document says is checked by its caller
 * (src/oauth/client-id-metadata-document.ts).
 *
 * The cache lives in each isolate's memory, bounded to MAX_CACHED_DOCUMENTS documents of at most
 * MAX_DOCUMENT_BYTES each (about 1.3 MiB): no KV write per new client (KV writes are the scarce
 * resource), and a document changed by its owner is seen by every isolate within its max-age.
 */
import { OAuthError } from "../protocol/errors";

/** §8.7: a metadata document is small; the draft suggests 5 KB. */
export const MAX_DOCUMENT_BYTES = 5 * 1024;
/** How long a fetch (connection, answer and body) may take. */
export const FETCH_TIMEOUT_MS = 5_000;
/** §5.2: kept this long when the response says nothing about caching. */
export const DEFAULT_CACHE_SECONDS = 300;
/** §5.2: never kept longer than this, whatever max-age says. */
export const MAX_CACHE_SECONDS = 86_400;
/** Documents kept per isolate; the least recently used goes first. */
export const MAX_CACHED_DOCUMENTS = 256;
/** client_id travels in codes, tokens and KV keys (limited to 512 bytes): it stays short. */
export const MAX_CLIENT_ID_URL_LENGTH = 400;

/**
 * Whether a client_id names a metadata document rather than a registration in KV. Registered
 * client ids never contain ":" (src/storage/clients.ts), so anything with a URI scheme is a URL
 * client_id, and is then checked as one (an http: or ftp: one is refused, not looked up).
 */
export function isClientIdUrl(clientId: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(clientId);
}

export interface DocumentFetchOptions {
  /** `host:port` values that may be fetched over plain http (INSECURE_CLIENT_METADATA_HOSTS). */
  insecureHosts: readonly string[];
  timeoutMs?: number;
  /** Milliseconds since the epoch (tests move the clock). */
  now?: number;
}

interface CachedDocument {
  text: string;
  expiresAt: number;
}

const cache = new Map<string, CachedDocument>();

/**
 * The client's metadata document, parsed (an object; its content is not checked here). Served
 * from this isolate's cache while fresh. Throws OAuthError `invalid_client` saying what is wrong
 * when the URL may not be fetched or the answer is not a document.
 */
export async function fetchClientMetadataDocument(
  clientId: string,
  options: DocumentFetchOptions,
): Promise<Record<string, unknown>> {
  const now = options.now ?? Date.now();
  const url = fetchableUrl(clientId, options.insecureHosts);
  const cached = cache.get(clientId);
  if (cached !== undefined && cached.expiresAt > now) {
    // Least recently used first: a hit moves to the end of the Map's order.
    cache.delete(clientId);
    cache.set(clientId, cached);
    return parseDocument(cached.text);
  }
  cache.delete(clientId);
  const { text, maxAge } = await download(url, options.timeoutMs ?? FETCH_TIMEOUT_MS);
  const document = parseDocument(text);
  if (maxAge > 0) {
    if (cache.size >= MAX_CACHED_DOCUMENTS) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    cache.set(clientId, { text, expiresAt: now + maxAge * 1000 });
  }
  return document;
}

function refused(problem: string): OAuthError {
  return new OAuthError("invalid_client", `The client's metadata document ${problem}`);
}

/**
 * §8.6 (SSRF): the server fetches a URL that anyone may send it, so only public https hosts are
 * fetched: no IP literal, no single-label or internal name. Plain http only for the loopback
 * `host:port` values a test deployment names.
 */
function fetchableUrl(clientId: string, insecureHosts: readonly string[]): URL {
  if (clientId.length > MAX_CLIENT_ID_URL_LENGTH) {
    throw refused(`URL is longer than ${MAX_CLIENT_ID_URL_LENGTH} characters`);
  }
  if (!URL.canParse(clientId)) throw refused("URL is not a valid URL");
  const url = new URL(clientId);
  if (url.protocol === "http:") {
    const hostPort = `${url.hostname}:${url.port || "80"}`;
    if (insecureHosts.includes(hostPort)) return url;
    throw refused("URL must use https");
  }
  if (url.protocol !== "https:") throw refused("URL must use https");
  const host = url.hostname.toLowerCase();
  // The WHATWG parser turns every IPv4 spelling (0x7f.1, 2130706433) into dotted decimal.
  if (host.startsWith("[") || /^\d+\.\d+\.\d+\.\d+$/.test(host)) {
    throw refused("URL must name a host, not an IP address");
  }
  if (!host.includes(".") || host.endsWith(".")) {
    throw refused("URL must name a fully qualified public host");
  }
  const tld = host.slice(host.lastIndexOf(".") + 1);
  if (INTERNAL_TLDS.has(tld) || host.endsWith(".home.arpa")) {
    throw refused("URL must name a public host, not a local or internal one");
  }
  return url;
}

/**
 * Names that never reach the public internet: RFC 6761 §6 (localhost, invalid, test), RFC 6762
 * (local), RFC 8375 (home.arpa), ICANN's reserved `internal`, and common private suffixes.
 */
const INTERNAL_TLDS: ReadonlySet<string> = new Set([
  "localhost", "local", "internal", "invalid", "test", "localdomain", "lan", "home", "corp",
  "intranet", "private", "arpa",
]);

/**
 * §5: one GET, no redirect followed (a redirect could lead anywhere, §8.6), only a 200 with a
 * JSON media type, at most MAX_DOCUMENT_BYTES (§8.7), within the timeout.
 */
async function download(url: URL, timeoutMs: number): Promise<{ text: string; maxAge: number }> {
  let response: Response;
  try {
    response = await fetch(url, {
      redirect: "manual",
      headers: { Accept: "application/json" },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw fetchFailure(err, timeoutMs);
  }
  try {
    if (response.status >= 300 && response.status < 400) {
      throw refused("URL answered with a redirect, which is not followed");
    }
    if (response.status !== 200) {
      throw refused(`URL answered with HTTP status ${response.status}, not 200`);
    }
    const mediaType = (response.headers.get("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (!/^application\/(?:[\w.-]+\+)?json$/.test(mediaType)) {
      throw refused("is not JSON (its Content-Type must be application/json)");
    }
    const declared = Number(response.headers.get("Content-Length") ?? "0");
    if (declared > MAX_DOCUMENT_BYTES) throw tooLarge();
    const text = await readCapped(response, timeoutMs);
    return { text, maxAge: cacheLifetime(response.headers.get("Cache-Control")) };
  } finally {
    // An unread body holds the connection open until the timeout.
    if (!response.bodyUsed) await response.body?.cancel().catch(() => undefined);
  }
}

function tooLarge(): OAuthError {
  return refused(`is larger than ${MAX_DOCUMENT_BYTES} bytes`);
}

function fetchFailure(err: unknown, timeoutMs: number): OAuthError {
  if (err instanceof OAuthError) return err;
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) {
    return refused(`URL did not answer within ${timeoutMs / 1000} s`);
  }
  return refused("could not be fetched");
}

/** Reads the body, stopping as soon as it passes the size cap (Content-Length may be absent). */
async function readCapped(response: Response, timeoutMs: number): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_DOCUMENT_BYTES) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
  } catch (err) {
    throw fetchFailure(err, timeoutMs);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw refused("is not valid UTF-8");
  }
}

function parseDocument(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw refused("is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw refused("is not a JSON object");
  }
  return parsed as Record<string, unknown>;
}

/**
 * Seconds the document may be kept (RFC 9111 §5.2.2; draft §5.2): none for no-store, no-cache
 * or private; s-maxage, else max-age, capped at MAX_CACHE_SECONDS; DEFAULT_CACHE_SECONDS when
 * the response says nothing.
 */
export function cacheLifetime(cacheControl: string | null): number {
  const directives = new Map<string, string>();
  for (const part of (cacheControl ?? "").split(",")) {
    const [name, value] = part.split("=", 2);
    if (name === undefined || name.trim() === "") continue;
    directives.set(name.trim().toLowerCase(), (value ?? "").trim().replace(/^"|"$/g, ""));
  }
  if (["no-store", "no-cache", "private"].some((d) => directives.has(d))) return 0;
  const stated = directives.get("s-maxage") ?? directives.get("max-age");
  if (stated === undefined) return DEFAULT_CACHE_SECONDS;
  if (!/^\d+$/.test(stated)) return 0; // RFC 9111 §4.2.1: an invalid max-age is stale
  return Math.min(Number(stated), MAX_CACHE_SECONDS);
}
