// The client authentication registry (src/oauth/client-auth/index.ts) is the one list: what the
// token, revocation and introspection endpoints accept is what the metadata advertises and what
// a client may register.
import { SignJWT, decodeJwt, exportJWK, generateKeyPair, importJWK, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { Params } from "../../../src/http/params";
import {
  CLIENT_AUTH_METHODS,
  CLIENT_AUTH_METHOD_NAMES,
  CONFIDENTIAL_AUTH_METHOD_NAMES,
  presentedMethod,
} from "../../../src/oauth/client-auth";
import { type ClientAuthMethod, invalidClient } from "../../../src/oauth/client-auth/method";
import { OAuthError } from "../../../src/protocol/errors";
import { clientAuth, expectTokenError } from "../../helpers/codes";
import { basicAuthorization, createClientUsing } from "../../helpers/fixtures";
import { ORIGIN, admin, postForm, request } from "../../helpers/http";

type AuthMetadata = Record<
  | "token_endpoint_auth_methods_supported"
  | "revocation_endpoint_auth_methods_supported"
  | "introspection_endpoint_auth_methods_supported",
  string[]
>;

const sorted = (names: readonly string[]) => [...names].sort();

describe("the client authentication registry", () => {
  it("names each method once", () => {
    expect(new Set(CLIENT_AUTH_METHOD_NAMES).size).toBe(CLIENT_AUTH_METHODS.length);
  });

  it("advertises the registered methods for the token and revocation endpoints, the confidential ones for introspection (RFC 8414 §2)", async () => {
    const res = await request("/.well-known/oauth-authorization-server");
    const metadata = (await res.json()) as AuthMetadata;
    expect(sorted(metadata.token_endpoint_auth_methods_supported)).toEqual(sorted(CLIENT_AUTH_METHOD_NAMES));
    expect(sorted(metadata.revocation_endpoint_auth_methods_supported)).toEqual(sorted(CLIENT_AUTH_METHOD_NAMES));
    expect(sorted(metadata.introspection_endpoint_auth_methods_supported)).toEqual(
      sorted(CONFIDENTIAL_AUTH_METHOD_NAMES),
    );
    expect(CONFIDENTIAL_AUTH_METHOD_NAMES).not.toContain("none");
  });

  it("lets a client register every registered method, and no other (RFC 7591 §2)", async () => {
    const register = (method: string) =>
      admin("POST", "/clients", {
        redirect_uris: ["https://rp.example/cb"],
        token_endpoint_auth_method: method,
      });
    for (const name of CLIENT_AUTH_METHOD_NAMES) {
      const res = await register(name);
      expect(res.status).toBe(201);
      expect(await res.json()).toMatchObject({ token_endpoint_auth_method: name });
    }
    const refused = await register("client_secret_jwt");
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: "invalid_client_metadata" });
  });

  it.each(CLIENT_AUTH_METHOD_NAMES)("authenticates a client registered for %s at the token endpoint", async (name) => {
    const client = await createClientUsing(name);
    const auth = clientAuth(client);
    // An authenticated client reaches the grant: invalid_grant for a token that does not exist.
    const res = await postForm(
      "/token",
      { grant_type: "refresh_token", refresh_token: "a.b.c", ...auth.form },
      auth.headers,
    );
    await expectTokenError(res, "invalid_grant", 400);
  });
});

/**
 * A private_key_jwt method (RFC 7523 §2.2, §3) as it would be written against the registry's
 * shape: not served, only built here to show the shape takes it. Its keys would come from the
 * client's registration (RFC 7591 §2 jwks); here, from the test.
 */
async function privateKeyJwt() {
  const { publicKey, privateKey } = await generateKeyPair("ES256");
  const clientKey = await importJWK(await exportJWK(publicKey), "ES256");
  const method: ClientAuthMethod<{ clientId: string; assertion: string }> = {
    name: "private_key_jwt",
    confidential: true,
    sharedSecret: false,
    recognises: ({ params }) =>
      params.get("client_assertion_type") === "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    read({ params }) {
      const assertion = params.get("client_assertion");
      if (assertion === undefined) throw invalidClient();
      const clientId = decodeJwt(assertion).iss;
      if (clientId === undefined) throw invalidClient();
      return { clientId, assertion };
    },
    async verify({ clientId, assertion }, _client, { endpoint, clock }) {
      const verified = await jwtVerify(assertion, clientKey, {
        issuer: clientId,
        subject: clientId,
        audience: endpoint,
        currentDate: new Date(clock.now() * 1000),
      }).catch(() => null);
      return verified !== null;
    },
  };
  const sign = (audience: string) =>
    new SignJWT({ jti: crypto.randomUUID() })
      .setProtectedHeader({ alg: "ES256" })
      .setIssuer("client-1")
      .setSubject("client-1")
      .setAudience(audience)
      .setExpirationTime("1 minute")
      .sign(privateKey);
  return { method, sign };
}

describe("the shape of a client authentication method", () => {
  const ENDPOINT = `${ORIGIN}/token`;
  const jwtBearer = (assertion: string, extra: Record<string, string> = {}) =>
    new Params(
      new URLSearchParams({
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: assertion,
        ...extra,
      }),
    );

  it("takes a signed client assertion (private_key_jwt) beside the registered methods", async () => {
    const { method, sign } = await privateKeyJwt();
    const methods = [...CLIENT_AUTH_METHODS, method];
    // A body client_id with the assertion does not make it a public client's request.
    const params = jwtBearer(await sign(ENDPOINT), { client_id: "client-1" });
    const chosen = presentedMethod({ authorization: undefined, params }, methods);
    expect(chosen.name).toBe("private_key_jwt");
    const credentials = method.read({ authorization: undefined, params });
    const context = { issuer: ORIGIN, endpoint: ENDPOINT, clock: { now: () => Math.floor(Date.now() / 1000) } };
    expect(await method.verify(credentials, null, context)).toBe(true);
    const elsewhere = method.read({ authorization: undefined, params: jwtBearer(await sign("https://other.example/token")) });
    expect(await method.verify(elsewhere, null, context)).toBe(false);
    // Ten minutes later the assertion has expired.
    const later = { ...context, clock: { now: () => Math.floor(Date.now() / 1000) + 600 } };
    expect(await method.verify(credentials, null, later)).toBe(false);
  });

  it("still refuses two methods in one request (RFC 6749 §2.3)", async () => {
    const { method, sign } = await privateKeyJwt();
    const params = jwtBearer(await sign(ENDPOINT));
    const error = (() => {
      try {
        presentedMethod({ authorization: basicAuthorization("client-1", "secret"), params }, [
          ...CLIENT_AUTH_METHODS,
          method,
        ]);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(OAuthError);
    expect((error as OAuthError).error).toBe("invalid_request");
  });
});
