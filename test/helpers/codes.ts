/**
 * Authorization codes minted directly with `sealCode`, so the token endpoint can be tested
 * without driving the browser flow through /authorize each time.
 */
import { expect } from "vitest";
import { randomToken } from "../../src/crypto/random";
import { type AuthorizationCodePayload, sealCode } from "../../src/oauth/sealed-code";
import type { TestClient, TestUser } from "./fixtures";
import { basicAuthorization } from "./fixtures";
import { postForm } from "./http";
import { createPkce } from "./pkce";

export interface MintedCode {
  code: string;
  /** The PKCE verifier whose S256 challenge the code is bound to. */
  verifier: string;
  payload: AuthorizationCodePayload;
}

/**
 * Seals a code for `client` and `user`, bound to a fresh verifier, the client's first redirect
 * URI and scope "openid profile email", valid for 60 s. Any field can be overridden.
 */
export async function mintCode(
  env: Env,
  client: TestClient,
  user: TestUser,
  overrides: Partial<AuthorizationCodePayload> = {},
): Promise<MintedCode> {
  const { verifier, challenge } = await createPkce();
  const now = Math.floor(Date.now() / 1000);
  const payload: AuthorizationCodePayload = {
    codeId: randomToken(16),
    grantId: randomToken(16),
    clientId: client.client_id,
    redirectUri: client.redirect_uri,
    codeChallenge: challenge,
    sub: user.sub,
    scope: ["openid", "profile", "email"],
    resource: [],
    authTime: now,
    expiresAt: now + 60,
    ...overrides,
  };
  return { code: await sealCode(env, payload), verifier, payload };
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
  minted: MintedCode,
  extra: Record<string, string> = {},
): Promise<Response> {
  const auth = clientAuth(client);
  return postForm(
    "/token",
    {
      grant_type: "authorization_code",
      code: minted.code,
      redirect_uri: minted.payload.redirectUri,
      code_verifier: minted.verifier,
      ...auth.form,
      ...extra,
    },
    auth.headers,
  );
}

/** POST /token with grant_type=refresh_token. */
export function refresh(
  client: TestClient,
  refreshToken: string,
  extra: Record<string, string> = {},
): Promise<Response> {
  const auth = clientAuth(client);
  return postForm(
    "/token",
    { grant_type: "refresh_token", refresh_token: refreshToken, ...auth.form, ...extra },
    auth.headers,
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
