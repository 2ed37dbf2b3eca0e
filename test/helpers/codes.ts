/**
 * The client's side of the token endpoint: its authentication, the code exchange, the refresh,
 * and what a token response must look like. Codes come from the public flow
 * (`obtainCode` in ./browser.ts), never sealed here.
 */
import { expect } from "vitest";
import type { TestClient } from "./fixtures";
import { basicAuthorization } from "./fixtures";
import { postForm, type request } from "./http";

/** What the client holds after the authorization response: the code and its PKCE verifier. */
export interface CodeForExchange {
  code: string;
  /** The PKCE verifier whose S256 challenge the code is bound to. */
  verifier: string;
  /** The redirect URI the client sends back with the code (RFC 6749 §4.1.3). */
  redirectUri: string;
}

/** How the client authenticates in `exchangeCode` and `refresh`. */
export function clientAuth(client: TestClient): {
  form: Record<string, string>;
  headers: Record<string, string>;
} {
  switch (client.metadata.token_endpoint_auth_method) {
    case "client_secret_basic":
      return {
        form: {},
        headers: {
          Authorization: basicAuthorization(client.client_id, client.client_secret ?? ""),
        },
      };
    case "client_secret_post":
      return {
        form: { client_id: client.client_id, client_secret: client.client_secret ?? "" },
        headers: {},
      };
    case "none":
      return { form: { client_id: client.client_id }, headers: {} };
    default:
      throw new Error(`clientAuth fixture: no credentials for ${client.metadata.token_endpoint_auth_method}`);
  }
}

/** POST /token with grant_type=authorization_code, as the client would send it. */
export function exchangeCode(
  client: TestClient,
  minted: CodeForExchange,
  extra: Record<string, string> = {},
  send?: typeof request,
): Promise<Response> {
  const auth = clientAuth(client);
  return postForm(
    "/token",
    {
      grant_type: "authorization_code",
      code: minted.code,
      redirect_uri: minted.redirectUri,
      code_verifier: minted.verifier,
      ...auth.form,
      ...extra,
    },
    auth.headers,
    send,
  );
}

/** POST /token with grant_type=refresh_token. */
export function refresh(
  client: TestClient,
  refreshToken: string,
  extra: Record<string, string> = {},
  send?: typeof request,
): Promise<Response> {
  const auth = clientAuth(client);
  return postForm(
    "/token",
    { grant_type: "refresh_token", refresh_token: refreshToken, ...auth.form, ...extra },
    auth.headers,
    send,
  );
}

export interface TokenResponseBody {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
}

/** Expects a successful token response (RFC 6749 §5.1: never cached) and returns its body. */
export async function expectTokens(res: Response): Promise<TokenResponseBody> {
  expect(res.status).toBe(200);
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  expect(res.headers.get("Pragma")).toBe("no-cache");
  return (await res.json()) as TokenResponseBody;
}

/** Expects an RFC 6749 §5.2 JSON error, which is not cached either (§5.1). */
export async function expectTokenError(res: Response, error: string, status = 400): Promise<void> {
  const body = (await res.json()) as { error: string; error_description?: string };
  expect({ status: res.status, error: body.error }).toEqual({ status, error });
  expect(body.error_description).toBeTruthy();
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  expect(res.headers.get("Pragma")).toBe("no-cache");
}
