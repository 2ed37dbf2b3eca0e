import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sha256 } from "../../src/crypto/hash";
import { randomToken } from "../../src/crypto/random";
import { Params } from "../../src/http/params";
import { parseClientCredentials } from "../../src/oauth/client-authentication";
import { OAuthError } from "../../src/protocol/errors";
import { type ClientRecord, putClient } from "../../src/storage/clients";
import { obtainCode } from "../helpers/browser";
import {
  clientAuth,
  exchangeCode,
  expectTokenError,
  expectTokens,
} from "../helpers/codes";
import {
  type TestClient,
  basicAuthorization,
  createClient,
  createClientUsing,
  createPublicClient,
  createUser,
} from "../helpers/fixtures";
import { postForm } from "../helpers/http";

const params = (form: Record<string, string> = {}) => new Params(new URLSearchParams(form));
const basic = (raw: string) => `Basic ${btoa(raw)}`;

/** The method's name and the credentials it read. */
function parse(authorization: string | undefined, form: Params) {
  const { method, credentials } = parseClientCredentials(authorization, form);
  return { method: method.name, ...credentials };
}

function parseError(authorization: string | undefined, form: Record<string, string> = {}) {
  try {
    parseClientCredentials(authorization, params(form));
  } catch (e) {
    if (e instanceof OAuthError) return e;
    throw e;
  }
  throw new Error("credentials were accepted");
}

describe("client credentials parsing (RFC 6749 §2.3)", () => {
  it("form-decodes id and secret of client_secret_basic after splitting at the first ':' (§2.3.1)", () => {
    expect(parse(basic("my%3Aclient:p%40ss+word:x%2B%25"), params())).toEqual({
      method: "client_secret_basic",
      clientId: "my:client",
      secret: "p@ss word:x+%",
    });
  });

  it("decodes UTF-8 in Basic credentials", () => {
    const raw = String.fromCharCode(...new TextEncoder().encode("client:s%C3%A9cret-é"));
    expect(parse(basic(raw), params())).toMatchObject({ secret: "sécret-é" });
  });

  it("accepts the Basic scheme name in any case (RFC 7617 §2)", () => {
    expect(parse(`bAsIc ${btoa("id:secret")}`, params())).toMatchObject({
      clientId: "id",
      secret: "secret",
    });
  });

  it.each([
    ["bad base64", "Basic !!!not-base64!!!"],
    ["no colon", basic("just-an-id")],
    ["empty id", basic(":secret")],
    ["empty secret", basic("id:")],
    ["malformed percent-encoding", basic("id:%zz")],
    ["invalid UTF-8", `Basic ${btoa("id:\xff\xfe")}`],
    ["another scheme", "Bearer abc"],
    ["a bare scheme", "Basic"],
  ])("answers %s in Basic with invalid_client, 401 and a Basic challenge (§5.2)", (_, header) => {
    const error = parseError(header);
    expect(error.error).toBe("invalid_client");
    expect(error.status).toBe(401);
    expect(error.headers["WWW-Authenticate"]).toMatch(/^Basic realm=/);
  });

  it("refuses Basic together with client_secret in the body: one method per request (§2.3)", () => {
    const error = parseError(basic("id:secret"), { client_id: "id", client_secret: "secret" });
    expect(error.error).toBe("invalid_request");
  });

  it("refuses a body client_id that differs from the Basic one: invalid_client, 401, Basic challenge (§5.2)", () => {
    const error = parseError(basic("id:secret"), { client_id: "other" });
    expect(error.error).toBe("invalid_client");
    expect(error.status).toBe(401);
    expect(error.headers["WWW-Authenticate"]).toMatch(/^Basic realm=/);
  });

  it("allows a body client_id equal to the Basic one", () => {
    expect(parse(basic("id:secret"), params({ client_id: "id" }))).toMatchObject({
      method: "client_secret_basic",
    });
  });

  it("reads client_secret_post and none from the body", () => {
    expect(
      parse(undefined, params({ client_id: "a", client_secret: "b" })),
    ).toEqual({
      method: "client_secret_post",
      clientId: "a",
      secret: "b",
    });
    expect(parse(undefined, params({ client_id: "a" }))).toEqual({
      method: "none",
      clientId: "a",
    });
  });

  it("answers a request without any client identification with a 401 invalid_client and a challenge (RFC 9110 §15.5.2)", () => {
    const error = parseError(undefined, {});
    expect(error.error).toBe("invalid_client");
    expect(error.status).toBe(401);
    expect(error.headers["WWW-Authenticate"]).toMatch(/^Basic /);
  });
});

/**
 * Probes client authentication at the token endpoint with a refresh request for a token that
 * does not exist: an authenticated client gets invalid_grant, an unauthenticated one
 * invalid_client.
 */
function probe(form: Record<string, string>, headers: Record<string, string> = {}) {
  return postForm(
    "/token",
    { grant_type: "refresh_token", refresh_token: "no-such-token", ...form },
    headers,
  );
}

/** A confidential client whose secret has characters that form-encoding changes. */
async function clientWithSecret(secret: string): Promise<{ clientId: string; secret: string }> {
  const clientId = randomToken(16);
  const record: ClientRecord = {
    client_id: clientId,
    client_id_issued_at: Math.floor(Date.now() / 1000),
    client_secret_hash: await sha256(secret),
    metadata: {
      redirect_uris: ["https://rp.example/cb"],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
      scope: "openid",
    },
  };
  await putClient(env, record);
  return { clientId, secret };
}

describe("client authentication at the token endpoint", () => {
  it("authenticates client_secret_basic with a form-encoded secret of special characters", async () => {
    const { clientId, secret } = await clientWithSecret("p+s:w%rd &=é/~");
    const res = await probe({}, { Authorization: basicAuthorization(clientId, secret) });
    await expectTokenError(res, "invalid_grant", 400);
  });

  it("does not accept that secret when it was not form-encoded ('+' means space)", async () => {
    const { clientId, secret } = await clientWithSecret("a+b");
    const res = await probe({}, { Authorization: `Basic ${btoa(`${clientId}:${secret}`)}` });
    await expectTokenError(res, "invalid_client", 401);
  });

  it.each(["client_secret_basic", "client_secret_post", "none"] as const)(
    "authenticates a client registered for %s",
    async (method) => {
      const client = await createClientUsing(method);
      const auth = clientAuth(client);
      await expectTokenError(await probe(auth.form, auth.headers), "invalid_grant", 400);
    },
  );

  it("gives an unknown client and a wrong secret the same answer (RFC 6749 §5.2)", async () => {
    const client = await createClient();
    const wrong = await probe({}, { Authorization: basicAuthorization(client.client_id, "wrong") });
    const unknown = await probe(
      {},
      { Authorization: basicAuthorization(randomToken(16), client.client_secret ?? "") },
    );
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.headers.get("WWW-Authenticate")).toBe('Basic realm="gatehouse"');
    }
    expect(await wrong.json()).toEqual(await unknown.json());
  });

  it("answers a wrong secret sent with client_secret_post with a 401 invalid_client and a Basic challenge (RFC 9110 §15.5.2)", async () => {
    const client = await createClient({ token_endpoint_auth_method: "client_secret_post" });
    const res = await probe({ client_id: client.client_id, client_secret: "wrong" });
    await expectTokenError(res, "invalid_client", 401);
    expect(res.headers.get("WWW-Authenticate")).toBe('Basic realm="gatehouse"');
  });

  it("refuses a method other than the registered one", async () => {
    const basicClient = await createClient({ token_endpoint_auth_method: "client_secret_basic" });
    const postClient = await createClient({ token_endpoint_auth_method: "client_secret_post" });
    const asPost = (c: TestClient) => ({
      client_id: c.client_id,
      client_secret: c.client_secret ?? "",
    });
    await expectTokenError(await probe(asPost(basicClient)), "invalid_client", 401);
    const asBasic = {
      Authorization: basicAuthorization(postClient.client_id, postClient.client_secret ?? ""),
    };
    await expectTokenError(await probe({}, asBasic), "invalid_client", 401);
  });

  it("refuses a confidential client that sends only its client_id (auth method none)", async () => {
    const client = await createClient();
    await expectTokenError(await probe({ client_id: client.client_id }), "invalid_client", 401);
  });

  it("refuses a public client that presents a secret", async () => {
    const client = await createPublicClient({
      grant_types: ["authorization_code", "refresh_token"],
    });
    const res = await probe({ client_id: client.client_id, client_secret: "anything" });
    await expectTokenError(res, "invalid_client", 401);
  });

  it("refuses an unknown public client_id like a wrong secret", async () => {
    await expectTokenError(await probe({ client_id: randomToken(16) }), "invalid_client", 401);
  });

  it("refuses two authentication methods in one request", async () => {
    const client = await createClient();
    const res = await probe(
      { client_secret: client.client_secret ?? "" },
      { Authorization: basicAuthorization(client.client_id, client.client_secret ?? "") },
    );
    await expectTokenError(res, "invalid_request", 400);
  });

  it("refuses a body client_id that names another client than Basic: 401 invalid_client, code kept (RFC 6749 §5.2)", async () => {
    const client = await createClient();
    const other = await createClient();
    const user = await createUser();
    const minted = await obtainCode(client, user);
    const res = await exchangeCode(client, minted, { client_id: other.client_id });
    await expectTokenError(res, "invalid_client", 401);
    expect(res.headers.get("WWW-Authenticate")).toBe('Basic realm="gatehouse"');
    await expectTokens(await exchangeCode(client, minted));
  });

  it("refuses credentials in the query string of the token, revocation and introspection endpoints (RFC 6749 §2.3.1)", async () => {
    const client = await createClient({ token_endpoint_auth_method: "client_secret_post" });
    const secret = client.client_secret ?? "";
    const queries = [
      `client_secret=${secret}`,
      `client_id=${client.client_id}&client_secret=${secret}`,
      `client_%73ecret=${secret}`,
      "refresh_token=x",
      "code=x",
    ];
    for (const path of ["/token", "/revoke", "/introspect"]) {
      for (const query of queries) {
        // The body alone is a complete, correctly authenticated request.
        const res = await postForm(`${path}?${query}`, {
          grant_type: "refresh_token",
          refresh_token: "no-such-token",
          token: "no-such-token",
          client_id: client.client_id,
          client_secret: secret,
        });
        await expectTokenError(res, "invalid_request", 400);
      }
    }
    // Other query parameters are ignored: the body decides.
    const res = await postForm("/token?cache=1", {
      grant_type: "refresh_token",
      refresh_token: "no-such-token",
      client_id: client.client_id,
      client_secret: secret,
    });
    await expectTokenError(res, "invalid_grant", 400);
  });

  it("answers malformed Basic credentials with invalid_client, not a server error", async () => {
    const res = await probe({}, { Authorization: "Basic %%%" });
    await expectTokenError(res, "invalid_client", 401);
    expect(res.headers.get("WWW-Authenticate")).toBe('Basic realm="gatehouse"');
  });
});
