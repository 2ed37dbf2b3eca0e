/**
 * What the demo client does with a token response: takes its tokens (RFC 6749 §5.1) and checks
 * the ID token as OpenID Connect requires of a client (OIDC Core §3.1.3.7).
 */
import type { Context } from "hono";
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from "jose";
import type { AppEnv } from "../http/app-env";
import type { GatehouseFetch, RecordedExchange } from "./gatehouse-call";

export interface IssuedTokens {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
}

export interface Check {
  text: string;
  ok: boolean;
}

/** A successful token response's tokens, or undefined when the response is not one. */
export function issuedTokens(response: RecordedExchange["response"]): IssuedTokens | undefined {
  const json = response.json;
  if (response.status !== 200 || typeof json !== "object" || json === null) return undefined;
  const body = json as Record<string, unknown>;
  if (typeof body.access_token !== "string") return undefined;
  const text = (v: unknown) => (typeof v === "string" ? v : undefined);
  const refresh = text(body.refresh_token);
  const id = text(body.id_token);
  return {
    access_token: body.access_token,
    ...(refresh === undefined ? {} : { refresh_token: refresh }),
    ...(id === undefined ? {} : { id_token: id }),
  };
}

/**
 * OIDC Core §3.1.3.7: the signature with the issuer's published keys (its JWKS, fetched through
 * the app like every other call), the issuer, the audience (the client), the expiry, and the
 * nonce the client sent.
 */
export async function checkIdToken(
  c: Context<AppEnv>,
  gatehouse: GatehouseFetch,
  idToken: string,
  expected: { clientId: string; nonce: string },
): Promise<Check[]> {
  const issuer = c.get("issuer");
  const published = await gatehouse(new Request(`${issuer}/jwks.json`), c.env);
  const jwks = createLocalJWKSet((await published.json()) as JSONWebKeySet);
  try {
    const { payload } = await jwtVerify(idToken, jwks, { issuer, audience: expected.clientId });
    return [
      {
        text:
          "ID token signature verified with a key of /jwks.json; iss, aud (the demo's " +
          "client_id) and exp hold",
        ok: true,
      },
      {
        text: "ID token nonce equals the one the demo sent (OIDC Core §3.1.3.7)",
        ok: payload.nonce === expected.nonce,
      },
    ];
  } catch (err) {
    return [{ text: `ID token refused: ${(err as Error).message}`, ok: false }];
  }
}
