// The parts of a client application the browser tests need: PKCE, admin set-up, token calls.
import { createHash, randomBytes } from "node:crypto";

/** RFC 7636 §4.1-4.2: a verifier and its S256 challenge. */
export function pkcePair() {
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  return { verifier, challenge };
}

export function randomState() {
  return randomBytes(16).toString("base64url");
}

export class AdminApi {
  constructor(base, token) {
    this.base = base;
    this.token = token;
  }

  async post(path, body) {
    const res = await fetch(`${this.base}/admin${path}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${this.token}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status !== 201) throw new Error(`POST /admin${path}: ${res.status} ${text}`);
    return JSON.parse(text);
  }

  createClient(metadata) {
    return this.post("/clients", metadata);
  }

  createUser(user) {
    return this.post("/users", user);
  }
}

/** The authorization request URL (RFC 6749 §4.1.1 with PKCE and OIDC's nonce). */
export function authorizeUrl(base, client, { scope = "openid profile email", extra = {} } = {}) {
  const pkce = pkcePair();
  const state = randomState();
  const url = new URL("/authorize", base);
  for (const [k, v] of Object.entries({
    response_type: "code",
    client_id: client.client_id,
    redirect_uri: client.redirect_uris[0],
    scope,
    state,
    code_challenge: pkce.challenge,
    code_challenge_method: "S256",
    nonce: randomState(),
    ...extra,
  })) {
    url.searchParams.set(k, v);
  }
  return { url: url.href, state, pkce };
}

/** RFC 6749 §4.1.3 with client_secret_basic (§2.3.1: both parts form-urlencoded). */
export async function exchangeCode(base, client, code, verifier) {
  const enc = (s) => encodeURIComponent(s).replace(/%20/g, "+");
  const res = await fetch(`${base}/token`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Authorization: `Basic ${Buffer.from(`${enc(client.client_id)}:${enc(client.client_secret)}`).toString("base64")}`,
    },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: client.redirect_uris[0],
      code_verifier: verifier,
    }),
  });
  return { status: res.status, body: await res.json() };
}
