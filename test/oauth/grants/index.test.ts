// The grant type registry (src/oauth/grants/index.ts) is the one list: what the token endpoint
// serves is what the metadata advertises and what a client may register, no more, no less.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getConfig } from "../../../src/config";
import { Params } from "../../../src/http/params";
import { systemClock } from "../../../src/oauth/clock";
import { GRANT_TYPES, GRANT_TYPE_NAMES, findGrantType } from "../../../src/oauth/grants";
import { grantStores } from "../../../src/oauth/grants/stores";
import { OAuthError } from "../../../src/protocol/errors";
import { getClient } from "../../../src/storage/clients";
import { authorizeWithLogin } from "../../helpers/browser";
import { expectTokenError } from "../../helpers/codes";
import { basicAuthorization, createClient, createUser } from "../../helpers/fixtures";
import { ORIGIN, admin, postForm, request } from "../../helpers/http";

const UNREGISTERED = "urn:example:grant-type:unregistered";

async function advertised(path: string): Promise<string[]> {
  const res = await request(path);
  expect(res.status).toBe(200);
  return ((await res.json()) as { grant_types_supported: string[] }).grant_types_supported;
}

function registerWith(grantTypes: string[]): Promise<Response> {
  return admin("POST", "/clients", {
    redirect_uris: ["https://rp.example/cb"],
    grant_types: grantTypes,
  });
}

describe("the grant type registry", () => {
  it("names each grant type once and declares the parameters its handler reads", () => {
    expect(new Set(GRANT_TYPE_NAMES).size).toBe(GRANT_TYPES.length);
    for (const grant of GRANT_TYPES) {
      expect(findGrantType(grant.grantType)).toBe(grant);
      // grant_type selects the handler and client authentication is the endpoint's: a grant
      // reads neither.
      for (const name of ["grant_type", "client_id", "client_secret", "client_assertion"]) {
        expect(grant.parameters).not.toContain(name);
      }
    }
    expect(findGrantType(UNREGISTERED)).toBeUndefined();
    // Not an own property: the registry is no plain object to walk up from.
    expect(findGrantType("constructor")).toBeUndefined();
  });

  it("advertises exactly the registered grant types at both well-known locations (RFC 8414 §2)", async () => {
    for (const path of ["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"]) {
      expect([...(await advertised(path))].sort()).toEqual([...GRANT_TYPE_NAMES].sort());
    }
  });

  it("lets a client register every registered grant type, and no other (RFC 7591 §2)", async () => {
    for (const name of GRANT_TYPE_NAMES) {
      const res = await registerWith(["authorization_code", name]);
      expect(res.status).toBe(201);
      expect(((await res.json()) as { grant_types: string[] }).grant_types).toContain(name);
    }
    const refused = await registerWith(["authorization_code", UNREGISTERED]);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: "invalid_client_metadata" });
  });

  it("serves every advertised grant type; anything else is unsupported_grant_type (RFC 6749 §5.2)", async () => {
    // The grant type is looked up before the client authenticates: a served one gets as far as
    // client authentication (invalid_client without credentials), an unserved one does not.
    for (const name of await advertised("/.well-known/openid-configuration")) {
      await expectTokenError(await postForm("/token", { grant_type: name }), "invalid_client", 401);
    }
    await expectTokenError(
      await postForm("/token", { grant_type: UNREGISTERED }),
      "unsupported_grant_type",
      400,
    );
  });

  it("refuses a registered grant type to a client that did not register it (RFC 6749 §5.2)", async () => {
    const client = await createClient({ grant_types: ["authorization_code"] });
    const res = await postForm(
      "/token",
      { grant_type: "refresh_token", refresh_token: "a.b.c" },
      { Authorization: basicAuthorization(client.client_id, client.client_secret ?? "") },
    );
    await expectTokenError(res, "unauthorized_client", 400);
  });
});

describe("a grant handler", () => {
  it("runs on a plain context, without HTTP: exchanging a code once, then refusing it", async () => {
    const client = await createClient();
    const user = await createUser();
    // A code from the public flow: authorize, sign in, allow.
    const { code, verifier } = await authorizeWithLogin(client, user);
    const record = await getClient(env, client.client_id);
    if (record === null) throw new Error("the client was not stored");
    const config = getConfig(env);
    const grant = findGrantType("authorization_code");
    if (grant === undefined) throw new Error("authorization_code is not registered");
    const context = {
      client: record,
      params: new Params(
        new URLSearchParams({
          code,
          redirect_uri: client.redirect_uri,
          code_verifier: verifier,
        }),
      ),
      config,
      issuer: ORIGIN,
      stores: grantStores(env, config),
      clock: systemClock,
    };
    const tokens = await grant.handle(context);
    expect(tokens).toMatchObject({ token_type: "Bearer", scope: "openid profile" });
    expect(tokens.refresh_token).toBeTruthy();
    const replay = await grant.handle(context).catch((e: unknown) => e);
    expect(replay).toBeInstanceOf(OAuthError);
    expect((replay as OAuthError).error).toBe("invalid_grant");
  });
});
