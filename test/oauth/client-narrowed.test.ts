/**
 * A registration narrowed (RFC 7592 §2.2, or the operator) while another location still read the
 * old one: KV's propagation and the isolate's read cache let /authorize there issue a code under
 * the wider registration. Neither that code nor a grant made before the change may outlive it.
 * The change is written here straight to storage, without the index-driven revocation the
 * endpoints add, as the other location would see it.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getClient, putClient } from "../../src/storage/clients";
import { obtainCode } from "../helpers/browser";
import { exchangeCode, expectTokenError, expectTokens, refresh } from "../helpers/codes";
import { createClient, createUser, type TestClient } from "../helpers/fixtures";
import { grantState } from "../helpers/grants";

/** Rewrites the client's registered metadata, as an update made elsewhere would leave it. */
async function narrow(client: TestClient, change: { scope?: string; redirect_uris?: string[] }) {
  const record = await getClient(env, client.client_id);
  if (record === null) throw new Error("no such client");
  await putClient(env, { ...record, metadata: { ...record.metadata, ...change } });
}

describe("a registration narrowed after the code or the grant was made", () => {
  it("refuses a code whose redirect URI is no longer registered: no grant starts", async () => {
    const client = await createClient({ redirect_uris: ["https://rp.example/cb", "https://rp.example/old"] });
    const code = await obtainCode({ ...client, redirect_uri: "https://rp.example/old" }, await createUser());
    await narrow(client, { redirect_uris: ["https://rp.example/cb"] });
    await expectTokenError(await exchangeCode({ ...client, redirect_uri: "https://rp.example/old" }, code), "invalid_grant");
  });

  it("refuses a code for a scope the registration no longer has", async () => {
    const client = await createClient();
    const code = await obtainCode(client, await createUser());
    await narrow(client, { scope: "openid profile" });
    await expectTokenError(await exchangeCode(client, code), "invalid_grant");
  });

  it("ends a grant wider than the registration at its next refresh", async () => {
    const client = await createClient();
    const tokens = await expectTokens(await exchangeCode(client, await obtainCode(client, await createUser())));
    await narrow(client, { scope: "openid profile" });
    await expectTokenError(await refresh(client, tokens.refresh_token ?? ""), "invalid_grant");
    expect(await grantState(tokens.access_token)).toBe("revoked");
  });

  it("leaves a grant within the narrowed registration working", async () => {
    const client = await createClient();
    const code = await obtainCode(client, await createUser(), { scope: ["openid", "profile"] });
    const tokens = await expectTokens(await exchangeCode(client, code));
    await narrow(client, { scope: "openid profile" });
    await expectTokens(await refresh(client, tokens.refresh_token ?? ""));
  });
});
