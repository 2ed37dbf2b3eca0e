/**
 * A started grant (a code obtained through /authorize and exchanged at /token) and requests a client sends with its
 * own authentication: what the revocation, introspection and userinfo tests build on.
 */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { decodeJwt, generateKeyPair } from "jose";
import { getGrantStatus } from "../../src/storage/grants";
import type { SigningKey } from "../../src/storage/keys";
import { type CodeOptions, obtainCode } from "./browser";
import { type TokenResponseBody, clientAuth, exchangeCode, expectTokens } from "./codes";
import { type TestClient, type TestUser, createClient, createUser } from "./fixtures";
import { postForm, request } from "./http";

export interface StartedGrant {
  client: TestClient;
  user: TestUser;
  tokens: TokenResponseBody;
  accessToken: string;
  /** Empty when the client does not receive refresh tokens. */
  refreshToken: string;
}

/** Exchanges a fresh code of `client` (default: a new confidential client) for `user`. */
export async function startGrant(
  options: { client?: TestClient; user?: TestUser; code?: CodeOptions } = {},
): Promise<StartedGrant> {
  const client = options.client ?? (await createClient());
  const user = options.user ?? (await createUser({ name: "Ada Lovelace", email: "ada@example.com" }));
  const tokens = await expectTokens(
    await exchangeCode(client, await obtainCode(client, user, options.code)),
  );
  return {
    client,
    user,
    tokens,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? "",
  };
}

/** A form POST to `path`, authenticated as `client` with its registered method. */
export function postAsClient(
  path: string,
  client: TestClient,
  form: Record<string, string>,
): Promise<Response> {
  const auth = clientAuth(client);
  return postForm(path, { ...form, ...auth.form }, auth.headers);
}

/** A key Gatehouse does not know, with a kid Gatehouse uses: a forger's. */
export async function forgerKey(kid: string): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair("ES256");
  return { kid, alg: "ES256", privateKey };
}

/**
 * What the user's Durable Object says of the grant an access token belongs to: the authority
 * behind introspection and userinfo, which KV's lag cannot hide at another location.
 */
export async function grantState(accessToken: string): Promise<string> {
  const claims = decodeJwt(accessToken);
  return (await getGrantStatus(env, claims.sub ?? "", claims.grant_id as string)).state;
}

/** Whether introspection (RFC 7662), asked by an operator's resource server, says active. */
export async function isActive(token: string): Promise<boolean> {
  const res = await postAsClient("/introspect", await createClient(), { token });
  expect(res.status).toBe(200);
  return ((await res.json()) as { active: boolean }).active;
}

/** GET /userinfo with the access token as a bearer token: the status. */
export async function userinfoStatus(accessToken: string): Promise<number> {
  const res = await request("/userinfo", { headers: { Authorization: `Bearer ${accessToken}` } });
  await res.body?.cancel();
  return res.status;
}
