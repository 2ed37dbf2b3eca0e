import { describe, expect, it } from "vitest";
import { OAuthError } from "../../src/protocol/errors";
import {
  DEFAULT_CACHE_SECONDS,
  MAX_CACHE_SECONDS,
  MAX_DOCUMENT_BYTES,
  cacheLifetime,
  fetchClientMetadataDocument,
  type DocumentFetchOptions,
  isClientIdUrl,
} from "../../src/storage/client-metadata-documents";
import { documentHits, documentUrl, publishDocument } from "../helpers/client-web-server";

const secure = { insecureHosts: [] };

/** Expects the fetch of `url` to be refused with invalid_client, its description matching. */
async function expectRefused(url: string, description: RegExp, options: DocumentFetchOptions = secure) {
  const err = await fetchClientMetadataDocument(url, options).catch((e: unknown) => e);
  expect(err, url).toBeInstanceOf(OAuthError);
  expect((err as OAuthError).error).toBe("invalid_client");
  expect((err as OAuthError).description).toMatch(description);
}

describe("fetching a client metadata document (draft-ietf-oauth-client-id-metadata-document §5, §8.6)", () => {
  it("fetches a JSON document over https", async () => {
    const url = documentUrl();
    await publishDocument(url, { client_id: url, redirect_uris: ["https://app.example.org/cb"] });
    const document = await fetchClientMetadataDocument(url, secure);
    expect(document).toEqual({ client_id: url, redirect_uris: ["https://app.example.org/cb"] });
    expect(await documentHits(url)).toBe(1);
  });

  it("never fetches an IP literal, an internal name or a single-label host", async () => {
    for (const url of [
      "https://127.0.0.1/client.json",
      "https://10.0.0.1/client.json",
      "https://2130706433/client.json", // 127.0.0.1 spelt as a number
      "https://0x7f.1/client.json",
      "https://[::1]/client.json",
      "https://[fd00::1]/client.json",
    ]) {
      await expectRefused(url, /not an IP address/);
    }
    for (const url of [
      "https://localhost/client.json",
      "https://metadata/client.json",
      "https://example.com./client.json",
    ]) {
      await expectRefused(url, /fully qualified public host/);
    }
    for (const url of [
      "https://app.localhost/client.json",
      "https://printer.local/client.json",
      "https://db.internal/client.json",
      "https://router.home.arpa/client.json",
      "https://1.0.0.127.in-addr.arpa/client.json",
    ]) {
      await expectRefused(url, /not a local or internal one/);
    }
  });

  it("refuses plain http, unless the host:port is named for tests", async () => {
    const url = "http://127.0.0.1:4100/" + crypto.randomUUID() + "/client.json";
    await publishDocument(url, { client_id: url });
    await expectRefused(url, /must use https/);
    await expectRefused(url, /must use https/, { insecureHosts: ["127.0.0.1:4101"] });
    expect(await documentHits(url)).toBe(0);
    const document = await fetchClientMetadataDocument(url, { insecureHosts: ["127.0.0.1:4100"] });
    expect(document.client_id).toBe(url);
  });

  it("follows no redirect", async () => {
    const url = documentUrl();
    await publishDocument(url, null, {
      status: 302,
      headers: { Location: "https://clients.example.com/elsewhere.json" },
      body: "",
    });
    await expectRefused(url, /redirect, which is not followed/);
  });

  it("accepts only a 200 answer", async () => {
    const url = documentUrl();
    await publishDocument(url, { client_id: url }, { status: 203 });
    await expectRefused(url, /HTTP status 203/);
    await expectRefused(documentUrl(), /HTTP status 404/); // nothing published there
  });

  it("accepts only a JSON media type, and only a JSON object", async () => {
    const html = documentUrl();
    await publishDocument(html, null, { headers: { "Content-Type": "text/html" }, body: "{}" });
    await expectRefused(html, /is not JSON/);
    const broken = documentUrl();
    await publishDocument(broken, null, { body: "{not json" });
    await expectRefused(broken, /not valid JSON/);
    const array = documentUrl();
    await publishDocument(array, [1, 2]);
    await expectRefused(array, /not a JSON object/);
    const profiled = documentUrl();
    await publishDocument(profiled, { ok: true }, {
      headers: { "Content-Type": "application/client-metadata+json; charset=utf-8" },
    });
    expect(await fetchClientMetadataDocument(profiled, secure)).toEqual({ ok: true });
  });

  it(`refuses a document larger than ${MAX_DOCUMENT_BYTES} bytes`, async () => {
    const url = documentUrl();
    await publishDocument(url, { client_id: url, padding: "x".repeat(MAX_DOCUMENT_BYTES) });
    await expectRefused(url, new RegExp(`larger than ${MAX_DOCUMENT_BYTES} bytes`));
    const fits = documentUrl();
    const padding = "x".repeat(MAX_DOCUMENT_BYTES - 200);
    await publishDocument(fits, { client_id: fits, padding });
    expect((await fetchClientMetadataDocument(fits, secure)).padding).toBe(padding);
  });

  it("gives up on a server that does not answer in time", async () => {
    const url = documentUrl();
    await publishDocument(url, { client_id: url }, { delayMs: 2_000 });
    const started = Date.now();
    await expectRefused(url, /did not answer within 0.2 s/, { insecureHosts: [], timeoutMs: 200 });
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});

describe("caching client metadata documents (§5.2, RFC 9111)", () => {
  it("keeps a document for its max-age, then fetches it again", async () => {
    const url = documentUrl();
    await publishDocument(url, { client_id: url }, {
      headers: { "Content-Type": "application/json", "Cache-Control": "public, max-age=600" },
    });
    const now = Date.now();
    await fetchClientMetadataDocument(url, { ...secure, now });
    await fetchClientMetadataDocument(url, { ...secure, now: now + 599_000 });
    expect(await documentHits(url)).toBe(1);
    await fetchClientMetadataDocument(url, { ...secure, now: now + 601_000 });
    expect(await documentHits(url)).toBe(2);
  });

  it(`keeps a document no longer than ${MAX_CACHE_SECONDS} s, whatever max-age says`, async () => {
    const url = documentUrl();
    await publishDocument(url, { client_id: url }, {
      headers: { "Content-Type": "application/json", "Cache-Control": "max-age=31536000" },
    });
    const now = Date.now();
    await fetchClientMetadataDocument(url, { ...secure, now });
    await fetchClientMetadataDocument(url, { ...secure, now: now + (MAX_CACHE_SECONDS - 1) * 1000 });
    expect(await documentHits(url)).toBe(1);
    await fetchClientMetadataDocument(url, { ...secure, now: now + (MAX_CACHE_SECONDS + 1) * 1000 });
    expect(await documentHits(url)).toBe(2);
  });

  it("does not keep a no-store document", async () => {
    const url = documentUrl();
    await publishDocument(url, { client_id: url }, {
      headers: { "Content-Type": "application/json", "Cache-Control": "no-store" },
    });
    await fetchClientMetadataDocument(url, secure);
    await fetchClientMetadataDocument(url, secure);
    expect(await documentHits(url)).toBe(2);
  });

  it(`keeps a document that says nothing for ${DEFAULT_CACHE_SECONDS} s`, async () => {
    const url = documentUrl();
    await publishDocument(url, { client_id: url });
    const now = Date.now();
    await fetchClientMetadataDocument(url, { ...secure, now });
    await fetchClientMetadataDocument(url, { ...secure, now: now + (DEFAULT_CACHE_SECONDS - 1) * 1000 });
    expect(await documentHits(url)).toBe(1);
    await fetchClientMetadataDocument(url, { ...secure, now: now + (DEFAULT_CACHE_SECONDS + 1) * 1000 });
    expect(await documentHits(url)).toBe(2);
  });

  it("reads Cache-Control as RFC 9111 §5.2.2 says", () => {
    expect(cacheLifetime(null)).toBe(DEFAULT_CACHE_SECONDS);
    expect(cacheLifetime("max-age=60")).toBe(60);
    expect(cacheLifetime("public, s-maxage=120, max-age=60")).toBe(120);
    expect(cacheLifetime('max-age="90"')).toBe(90);
    expect(cacheLifetime("max-age=0")).toBe(0);
    expect(cacheLifetime("max-age=-1")).toBe(0);
    expect(cacheLifetime("no-cache, max-age=600")).toBe(0);
    expect(cacheLifetime("private, max-age=600")).toBe(0);
    expect(cacheLifetime("max-age=999999999")).toBe(MAX_CACHE_SECONDS);
  });
});

describe("isClientIdUrl", () => {
  it("tells a URL client_id from a registered one", () => {
    expect(isClientIdUrl("https://app.example.com/client.json")).toBe(true);
    expect(isClientIdUrl("http://app.example.com/client.json")).toBe(true);
    expect(isClientIdUrl("abcDEF123_-")).toBe(false);
  });
});
