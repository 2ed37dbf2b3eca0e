import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { parseForm } from "../helpers/browser";
import {
  awaitRequests,
  publishDocument,
  receivedRequests,
  type ReceivedRequest,
} from "../helpers/client-web-server";
import { createClient, createUser, type TestClient } from "../helpers/fixtures";
import { ORIGIN, request } from "../helpers/http";
import { logoutUrl, signInForIdToken, silentAnswer } from "../helpers/logout";

const EVENT = "http://schemas.openid.net/event/backchannel-logout";

/** A fresh back-channel logout endpoint of a client, answering 200 (or failing first). */
async function backchannelEndpoint(failFirst = 0): Promise<string> {
  const uri = `https://rp.example/${crypto.randomUUID()}/backchannel-logout`;
  await publishDocument(uri, null, { body: "", headers: {}, failFirst });
  return uri;
}

async function clientWithBackchannel(uri: string, overrides: Record<string, unknown> = {}): Promise<TestClient> {
  return createClient({ backchannel_logout_uri: uri, ...overrides });
}

/** The logout token a request carried, verified against Gatehouse's published keys. */
async function verifiedLogoutToken(received: ReceivedRequest, audience: string) {
  expect(received.method).toBe("POST");
  expect(received.contentType).toBe("application/x-www-form-urlencoded");
  const form = new URLSearchParams(received.body);
  expect([...form.keys()]).toEqual(["logout_token"]);
  const token = form.get("logout_token") as string;
  const jwks = await (await request("/jwks.json")).json<JSONWebKeySet>();
  const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), {
    issuer: ORIGIN,
    audience,
    typ: "logout+jwt",
    algorithms: ["RS256"],
  });
  return { token, payload, protectedHeader };
}

/** A grace for work that would happen after the response, to show that it does not. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));

describe("back-channel logout (OIDC Back-Channel Logout 1.0)", () => {
  it("POSTs a signed logout token to each client of the user that registered a back-channel URI", async () => {
    const uri = await backchannelEndpoint();
    const client = await clientWithBackchannel(uri);
    const user = await createUser();
    const { browser, idToken } = await signInForIdToken(client, user);

    const res = await browser.fetch(logoutUrl({ id_token_hint: idToken }));
    expect(res.status).toBe(200);
    const [received] = await awaitRequests(uri, 1);
    const { payload, protectedHeader } = await verifiedLogoutToken(received as ReceivedRequest, client.client_id);
    expect(protectedHeader.typ).toBe("logout+jwt");
    expect(payload.sub).toBe(user.sub);
    expect(payload.events).toEqual({ [EVENT]: {} });
    expect(typeof payload.jti).toBe("string");
    expect((payload.jti as string).length).toBeGreaterThanOrEqual(16);
    const now = Math.floor(Date.now() / 1000);
    expect(Math.abs((payload.iat as number) - now)).toBeLessThan(30);
    expect((payload.exp as number) - (payload.iat as number)).toBeLessThanOrEqual(300);
    // §2.4: a logout token MUST NOT carry a nonce (so it is never taken for an ID token).
    expect(payload).not.toHaveProperty("nonce");
    // §2.4: the ended session's id, as the session cookie carried it.
    expect(payload.sid).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]{22,}$/));
    await settle();
    expect(await receivedRequests(uri)).toHaveLength(1);
  });

  it("tells every client holding a grant, none that does not, and none without a back-channel URI", async () => {
    const user = await createUser();
    const uriA = await backchannelEndpoint();
    const uriB = await backchannelEndpoint();
    const uriUnused = await backchannelEndpoint();
    const clientA = await clientWithBackchannel(uriA);
    const clientB = await clientWithBackchannel(uriB);
    await clientWithBackchannel(uriUnused); // registered, but the user never used it
    const plain = await createClient(); // a grant, but no back-channel URI
    const { browser } = await signInForIdToken(clientA, user);
    await signInForIdToken(clientB, user, browser);
    await signInForIdToken(plain, user, browser);

    // The user's own sign-out (confirmation page) ends the session the same way.
    const page = await browser.fetch(logoutUrl());
    const done = await browser.submit(await page.text(), {});
    expect(done.status).toBe(200);

    const [a] = await awaitRequests(uriA, 1);
    const [b] = await awaitRequests(uriB, 1);
    expect((await verifiedLogoutToken(a as ReceivedRequest, clientA.client_id)).payload.sub).toBe(user.sub);
    expect((await verifiedLogoutToken(b as ReceivedRequest, clientB.client_id)).payload.sub).toBe(user.sub);
    await settle();
    expect(await receivedRequests(uriUnused)).toHaveLength(0);
    expect(await silentAnswer(browser, plain)).toBe("login_required");
  });

  it("retries after a failure, with the same token", async () => {
    const uri = await backchannelEndpoint(1);
    const client = await clientWithBackchannel(uri);
    const { browser, idToken } = await signInForIdToken(client, await createUser());
    await browser.fetch(logoutUrl({ id_token_hint: idToken }));
    const [first, second] = await awaitRequests(uri, 2);
    const one = await verifiedLogoutToken(first as ReceivedRequest, client.client_id);
    const two = await verifiedLogoutToken(second as ReceivedRequest, client.client_id);
    expect(two.token).toBe(one.token);
    await settle();
    expect(await receivedRequests(uri)).toHaveLength(2); // the second succeeded: no third
  });

  it("sends nothing when no session ended (a logout without a session)", async () => {
    const uri = await backchannelEndpoint();
    const client = await clientWithBackchannel(uri);
    const user = await createUser();
    const { idToken, browser } = await signInForIdToken(client, user);
    await browser.fetch(logoutUrl({ id_token_hint: idToken })); // ends it
    await awaitRequests(uri, 1);
    const again = await browser.fetch(logoutUrl({ id_token_hint: idToken }));
    expect(again.status).toBe(200);
    await settle();
    expect(await receivedRequests(uri)).toHaveLength(1);
  });

  it("a client that requires sid still learns of the logout, by sub", async () => {
    const uri = await backchannelEndpoint();
    const client = await clientWithBackchannel(uri, { backchannel_logout_session_required: true });
    const user = await createUser();
    const { browser, idToken } = await signInForIdToken(client, user);
    await browser.fetch(logoutUrl({ id_token_hint: idToken }));
    const [received] = await awaitRequests(uri, 1);
    const { payload } = await verifiedLogoutToken(received as ReceivedRequest, client.client_id);
    expect(payload.sub).toBe(user.sub);
    expect(decodeProtectedHeader(new URLSearchParams((received as ReceivedRequest).body).get("logout_token") as string).alg).toBe("RS256");
  });

  it("the confirmation page carries no token: only the form's fields", async () => {
    const uri = await backchannelEndpoint();
    const client = await clientWithBackchannel(uri);
    const { browser } = await signInForIdToken(client, await createUser());
    const form = parseForm(await (await browser.fetch(logoutUrl({ client_id: client.client_id }))).text());
    expect(Object.keys(form.hidden).sort()).toEqual(["client_id", "csrf"]);
    await settle();
    expect(await receivedRequests(uri)).toHaveLength(0); // nothing sent before the user confirms
  });
});
