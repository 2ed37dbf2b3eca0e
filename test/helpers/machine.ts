/**
 * Machine clients (RFC 6749 §4.4 client credentials, RFC 8693 token exchange) and the user
 * tokens they act on, on a deployment that serves two resources (RESOURCES). Everything goes
 * through HTTP: clients through the admin API, user tokens through the browser flow.
 */
import type { ClientMetadata } from "../../src/storage/clients";
import { authorizeWithLogin, TestBrowser } from "./browser";
import { type TokenResponseBody, clientAuth, exchangeCode, expectTokens } from "./codes";
import { deployment } from "./deployment";
import { type ClientInformation, type TestClient, type TestUser, createUser } from "./fixtures";
import { ADMIN_TOKEN, postForm } from "./http";

export const API = "https://api.example.com";
export const REPORTS = "https://reports.example.com";
/** A deployment serving API and REPORTS (RFC 8707), over the same storage as the others. */
export const send = deployment({ RESOURCES: `${API} ${REPORTS}` });

export const CLIENT_CREDENTIALS = "client_credentials";
export const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
export const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

/** POST /admin/clients on `send`'s deployment; the raw response. */
export function registerAsOperator(body: unknown): Promise<Response> {
  return send("/admin/clients", {
    method: "POST",
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** A confidential client of the operator, by default for client_credentials only (no redirect). */
export async function createMachineClient(
  overrides: Partial<ClientMetadata> = {},
): Promise<TestClient> {
  const res = await registerAsOperator({
    client_name: "Machine client",
    grant_types: [CLIENT_CREDENTIALS],
    scope: "reports:read reports:write",
    ...overrides,
  });
  if (res.status !== 201) throw new Error(`createMachineClient fixture: ${res.status} ${await res.text()}`);
  const metadata = (await res.json()) as ClientInformation;
  return {
    client_id: metadata.client_id,
    ...(metadata.client_secret === undefined ? {} : { client_secret: metadata.client_secret }),
    redirect_uri: metadata.redirect_uris[0] ?? "",
    metadata,
  };
}

/** POST /token on `send`'s deployment, authenticated as `client`; `resource` may repeat. */
export function tokenAs(
  client: TestClient,
  form: Record<string, string | string[]>,
): Promise<Response> {
  const auth = clientAuth(client);
  const body = new URLSearchParams(auth.form);
  for (const [name, value] of Object.entries(form)) {
    for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
  }
  return postForm("/token", body, auth.headers, send);
}

/** A user's access token for `resource`, from the real flow (authorize, login, consent, code). */
export async function userTokens(
  client: TestClient,
  options: { user?: TestUser; resource?: string[]; scope?: string } = {},
): Promise<{ user: TestUser; tokens: TokenResponseBody }> {
  const user = options.user ?? (await createUser());
  const { code, verifier } = await authorizeWithLogin(
    client,
    user,
    { resource: options.resource ?? [API], ...(options.scope === undefined ? {} : { scope: options.scope }) },
    new TestBrowser(send),
  );
  const tokens = await expectTokens(
    await exchangeCode(client, { code, verifier, redirectUri: client.redirect_uri }, {}, send),
  );
  return { user, tokens };
}
