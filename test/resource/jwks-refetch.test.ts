/**
 * gatehouse/resource through an issuer's key rotation (issue 13 point 3): the middleware caches
 * the issuer's JWKS per isolate, refetches it when a token names a kid the cache lacks (a key
 * that appeared after the first fetch), but at most once per JWKS_REFETCH_COOLDOWN_MS, so tokens
 * with made-up kids cannot make it fetch on every request. The issuer's JWKS is published on
 * the stand-in web server (test/helpers/client-web-server.ts), which counts the fetches.
 */
import { Hono } from "hono";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { requireAccessToken, type AccessTokenVariables } from "../../src/resource";
import { JWKS_REFETCH_COOLDOWN_MS } from "../../src/resource/bearer-auth";
import { documentHits, publishDocument } from "../helpers/client-web-server";

const AUDIENCE = "https://api.example";

interface TestKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function newKey(kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" } };
}

function token(issuer: string, key: TestKey): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ client_id: "client-1", scope: "read", jti: crypto.randomUUID() })
    .setProtectedHeader({ alg: "ES256", kid: key.kid, typ: "at+jwt" })
    .setIssuer(issuer)
    .setSubject("user-1")
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(key.privateKey);
}

/** A resource server guarded by requireAccessToken over the issuer's jwks_uri. */
function resourceServer(issuer: string, jwksUri: string) {
  const app = new Hono<{ Variables: AccessTokenVariables }>();
  app.use("*", requireAccessToken({ issuer, audience: AUDIENCE, jwksUri }));
  app.get("/data", (c) => c.json({ sub: c.get("accessToken").sub }));
  return async (jwt: string): Promise<number> =>
    (await app.request("/data", { headers: { Authorization: `Bearer ${jwt}` } })).status;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("requireAccessToken through a key rotation (jwksUri)", () => {
  it("verifies a token of a key that appeared after its first fetch, refetching once; made-up kids never make it fetch more than once per interval", async () => {
    const issuer = `https://issuer-${crypto.randomUUID()}.example`;
    const jwksUri = `${issuer}/jwks.json`;
    const [one, two, forger] = await Promise.all([newKey("k1"), newKey("k2"), newKey("k1")]);
    await publishDocument(jwksUri, { keys: [one.publicJwk] });
    const send = resourceServer(issuer, jwksUri);

    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    expect(await send(await token(issuer, one))).toBe(200);
    expect(await documentHits(jwksUri)).toBe(1);

    // The issuer rotates: key 2 appears in its JWKS (publishing anew resets the hit count).
    await publishDocument(jwksUri, { keys: [one.publicJwk, two.publicJwk] });
    // A token with a kid nobody published, and one whose signature is a forger's: refused, and
    // within the interval since the last fetch none of them makes the middleware fetch.
    const garbage = await newKey("no-such-kid");
    for (let i = 0; i < 5; i++) {
      expect(await send(await token(issuer, garbage))).toBe(401);
      expect(await send(await token(issuer, forger))).toBe(401);
    }
    expect(await documentHits(jwksUri)).toBe(0);

    // Once the interval has passed, key 2's token makes it refetch once, and verifies.
    vi.setSystemTime(Date.now() + JWKS_REFETCH_COOLDOWN_MS + 1_000);
    expect(await send(await token(issuer, two))).toBe(200);
    expect(await documentHits(jwksUri)).toBe(1);
    // Both keys now verify without another fetch…
    expect(await send(await token(issuer, one))).toBe(200);
    expect(await send(await token(issuer, two))).toBe(200);
    // …and a burst of made-up kids right after still costs no fetch.
    for (let i = 0; i < 5; i++) expect(await send(await token(issuer, garbage))).toBe(401);
    expect(await documentHits(jwksUri)).toBe(1);

    // The next interval: one made-up kid may cost one fetch, the rest of the burst none.
    vi.setSystemTime(Date.now() + JWKS_REFETCH_COOLDOWN_MS + 1_000);
    for (let i = 0; i < 5; i++) expect(await send(await token(issuer, garbage))).toBe(401);
    expect(await documentHits(jwksUri)).toBe(2);
  });
});
