import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { getConfig } from "../../src/config";
import { sha256 } from "../../src/crypto/hash";
import { clientInformationResponse, registerClient } from "../../src/oauth/client-registration";
import {
  deleteClient,
  getClient,
  listClients,
  putClient,
  verifyClientSecret,
  verifyRegistrationAccessToken,
  type ClientRecord,
} from "../../src/storage/clients";

const config = getConfig(env);
const metadata = (extra: Record<string, unknown> = {}) => ({
  client_name: "Store test",
  redirect_uris: ["https://rp.example/cb"],
  ...extra,
});

describe("client store", () => {
  it("issues a random client id and a 256-bit secret, and stores only the secret's SHA-256", async () => {
    const a = await registerClient(env, config, metadata(), "operator");
    const b = await registerClient(env, config, metadata(), "operator");
    expect(a.record.client_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(a.record.client_id).not.toBe(b.record.client_id);
    expect(a.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.clientSecret).not.toBe(b.clientSecret);
    expect(a.record.client_secret_hash).toBe(await sha256(a.clientSecret ?? ""));

    const raw = await env.CLIENTS.get(`client:${a.record.client_id}`);
    expect(raw).not.toBeNull();
    expect(raw).not.toContain(a.clientSecret);
    expect(await getClient(env, a.record.client_id)).toEqual(a.record);
  });

  it("stores the normalised metadata (defaults filled in)", async () => {
    const { record } = await registerClient(env, config, metadata(), "operator");
    expect(record.metadata).toEqual({
      client_name: "Store test",
      redirect_uris: ["https://rp.example/cb"],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
      scope: "openid profile email",
    });
  });

  it("issues no secret to a public client", async () => {
    const { record, clientSecret } = await registerClient(env, config, metadata({ token_endpoint_auth_method: "none" }), "operator");
    expect(clientSecret).toBeUndefined();
    expect(record.client_secret_hash).toBeUndefined();
  });

  it("answers null for an unknown or malformed client id", async () => {
    expect(await getClient(env, "unknown-client-id")).toBeNull();
    expect(await getClient(env, "")).toBeNull();
    expect(await getClient(env, "../etc")).toBeNull();
    expect(await getClient(env, "x".repeat(600))).toBeNull();
  });

  it("deletes a client and reports whether there was one", async () => {
    const { record } = await registerClient(env, config, metadata(), "operator");
    expect(await deleteClient(env, record.client_id)).toBe(true);
    expect(await getClient(env, record.client_id)).toBeNull();
    expect(await deleteClient(env, record.client_id)).toBe(false);
  });

  it("lists clients page by page with a cursor", async () => {
    const created = await Promise.all([1, 2, 3].map(() => registerClient(env, config, metadata(), "operator")));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listClients(env, { limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.clients.length).toBeLessThanOrEqual(2);
      seen.push(...page.clients.map((c) => c.client_id));
      cursor = page.cursor;
    } while (cursor);
    for (const { record } of created) expect(seen).toContain(record.client_id);
  });
});

describe("verifyClientSecret", () => {
  it("accepts the issued secret and refuses any other", async () => {
    const { record, clientSecret = "" } = await registerClient(env, config, metadata(), "operator");
    expect(await verifyClientSecret(record, clientSecret)).toBe(true);
    expect(await verifyClientSecret(record, `${clientSecret}x`)).toBe(false);
    expect(await verifyClientSecret(record, clientSecret.slice(1))).toBe(false);
    expect(await verifyClientSecret(record, "")).toBe(false);
  });

  it("refuses every secret for an unknown client", async () => {
    expect(await verifyClientSecret(null, "anything")).toBe(false);
    expect(await verifyClientSecret(null, "")).toBe(false);
  });

  it("refuses every secret for a public client, even one equal to another client's", async () => {
    const confidential = await registerClient(env, config, metadata(), "operator");
    const { record } = await registerClient(env, config, metadata({ token_endpoint_auth_method: "none" }), "operator");
    expect(await verifyClientSecret(record, confidential.clientSecret ?? "")).toBe(false);
    expect(await verifyClientSecret(record, "")).toBe(false);
  });

  it("hashes the presented secret even when there is nothing to compare it with", async () => {
    // Same work for unknown, public and known clients: the answer's timing tells nothing.
    const { record, clientSecret = "" } = await registerClient(env, config, metadata(), "operator");
    const publicRecord: ClientRecord = { ...record, client_secret_hash: undefined };
    const digest = vi.spyOn(crypto.subtle, "digest");
    const work: number[] = [];
    for (const candidate of [record, publicRecord, null]) {
      digest.mockClear();
      await verifyClientSecret(candidate, clientSecret);
      work.push(digest.mock.calls.length);
    }
    digest.mockRestore();
    expect(work[0]).toBeGreaterThan(0);
    expect(work).toEqual([work[0], work[0], work[0]]);
  });

  it("is used with records written by putClient", async () => {
    const { record, clientSecret = "" } = await registerClient(env, config, metadata(), "operator");
    await putClient(env, { ...record, metadata: { ...record.metadata, client_name: "Renamed" } });
    const stored = await getClient(env, record.client_id);
    expect(stored?.metadata.client_name).toBe("Renamed");
    expect(await verifyClientSecret(stored, clientSecret)).toBe(true);
  });
});

describe("verifyRegistrationAccessToken (RFC 7592 §3)", () => {
  it("accepts a self-registered client's token and refuses any other", async () => {
    const self = await registerClient(env, config, metadata(), "self");
    const other = await registerClient(env, config, metadata(), "self");
    const token = self.registrationAccessToken ?? "";
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(self.record.registration_access_token_hash).toBe(await sha256(token));
    expect(await verifyRegistrationAccessToken(self.record, token)).toBe(true);
    expect(await verifyRegistrationAccessToken(self.record, other.registrationAccessToken ?? "")).toBe(false);
    expect(await verifyRegistrationAccessToken(self.record, self.clientSecret ?? "")).toBe(false);
    expect(await verifyRegistrationAccessToken(self.record, "")).toBe(false);
  });

  it("gives an operator client no token, so none is accepted for it", async () => {
    const operator = await registerClient(env, config, metadata(), "operator");
    const self = await registerClient(env, config, metadata(), "self");
    expect(operator.registrationAccessToken).toBeUndefined();
    expect(operator.record.registration_access_token_hash).toBeUndefined();
    expect(await verifyRegistrationAccessToken(operator.record, self.registrationAccessToken ?? "")).toBe(false);
    expect(await verifyRegistrationAccessToken(operator.record, "")).toBe(false);
  });

  it("does the same work for a known client, one without a token and an unknown one", async () => {
    const self = await registerClient(env, config, metadata(), "self");
    const operator = await registerClient(env, config, metadata(), "operator");
    const token = self.registrationAccessToken ?? "";
    const digest = vi.spyOn(crypto.subtle, "digest");
    const work: number[] = [];
    for (const candidate of [self.record, operator.record, null]) {
      digest.mockClear();
      await verifyRegistrationAccessToken(candidate, `${token}x`);
      work.push(digest.mock.calls.length);
    }
    digest.mockRestore();
    expect(work[0]).toBeGreaterThan(0);
    expect(work).toEqual([work[0], work[0], work[0]]);
  });
});

describe("client information response (RFC 7591 §3.2.1)", () => {
  it("carries the secret only when given it, with client_secret_expires_at 0", async () => {
    const { record, clientSecret } = await registerClient(env, config, metadata(), "operator");
    const first = clientInformationResponse(record, clientSecret);
    expect(first).toMatchObject({
      client_id: record.client_id,
      client_secret: clientSecret,
      client_id_issued_at: record.client_id_issued_at,
      client_secret_expires_at: 0,
      redirect_uris: ["https://rp.example/cb"],
      token_endpoint_auth_method: "client_secret_basic",
    });
    const later = clientInformationResponse(record);
    expect(later).not.toHaveProperty("client_secret");
    expect(JSON.stringify(later)).not.toContain(record.client_secret_hash);
  });

  it("has no secret fields for a public client", async () => {
    const { record } = await registerClient(env, config, metadata({ token_endpoint_auth_method: "none" }), "operator");
    const response = clientInformationResponse(record);
    expect(response).not.toHaveProperty("client_secret");
    expect(response).not.toHaveProperty("client_secret_expires_at");
  });
});
