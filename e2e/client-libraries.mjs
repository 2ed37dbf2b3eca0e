// Standard client libraries against Gatehouse: panva's oauth4webapi and openid-client, given only
// the issuer (they discover the rest) and a client made with the admin API, complete the
// authorization code flow in Chromium, validate what they get, refresh, and call /api/me;
// openid-client also signs the user out (RP-initiated logout, buildEndSessionUrl).
// Every check on the responses is the library's own; the asserts here only tie results to the
// signed-in user. The issuer is http://127.0.0.1:<port> under `wrangler dev`, so each library is
// told to allow plain http, which both refuse by default.
import assert from "node:assert/strict";
import { inspect } from "node:util";
import * as oauth from "oauth4webapi";
import * as openid from "openid-client";

const SCOPE = "openid profile email";
const insecure = { [oauth.allowInsecureRequests]: true };

/** Signs in and allows on Gatehouse's pages; answers the URL the browser lands on at the client. */
async function loginAndAllow(page, authorizationUrl, redirectUri, user) {
  await page.goto(authorizationUrl.href);
  await page.locator('input[name="username"]').fill(user.username);
  await page.locator('input[name="password"]').fill(user.password);
  await page.locator('input[name="password"]').press("Enter");
  await Promise.all([
    page.waitForURL((u) => u.href.startsWith(redirectUri)),
    page.getByRole("button", { name: "Allow", exact: true }).click(),
  ]);
  return new URL(page.url());
}

/** Turns a library's OAuth error into one that says what the server answered. */
async function explained(promise) {
  try {
    return await promise;
  } catch (err) {
    // oauth4webapi (and openid-client on top of it) keeps the server's answer in `cause`.
    if (err?.cause !== undefined) {
      const status = err instanceof oauth.ResponseBodyError ? `HTTP ${err.status} ` : "";
      err.message += `: ${status}${inspect(err.cause, { depth: 3, breakLength: Infinity })}`;
    }
    throw err;
  }
}

/**
 * The whole flow with oauth4webapi for a client registered with `method` as its
 * token_endpoint_auth_method. `registeredRedirect` is what the client registers; `redirectUri`
 * what it sends (they differ for a loopback redirect URI with an ephemeral port, RFC 8252 §7.3).
 * `metadata` picks the discovery document.
 */
async function oauth4webapiFlow(t, page, { method, registeredRedirect, redirectUri, metadata = "oidc" }) {
  const issuer = new URL(t.base);
  // "oidc": /.well-known/openid-configuration; "oauth2": RFC 8414's oauth-authorization-server.
  const as = await oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { algorithm: metadata, ...insecure }),
  );
  const registered = await t.admin.createClient({
    client_name: `oauth4webapi ${method}`,
    redirect_uris: [registeredRedirect],
    grant_types: ["authorization_code", "refresh_token"],
    token_endpoint_auth_method: method,
    scope: SCOPE,
  });
  const client = { client_id: registered.client_id };
  const clientAuth = {
    client_secret_basic: () => oauth.ClientSecretBasic(registered.client_secret),
    client_secret_post: () => oauth.ClientSecretPost(registered.client_secret),
    none: () => oauth.None(),
  }[method]();

  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const authorizationUrl = new URL(as.authorization_endpoint);
  authorizationUrl.search = new URLSearchParams({
    response_type: "code",
    client_id: client.client_id,
    redirect_uri: redirectUri,
    scope: SCOPE,
    state,
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
  }).toString();
  const user = await t.newUser();
  const landed = await loginAndAllow(page, authorizationUrl, redirectUri, user);

  // Checks state and, since the metadata says it is supported, iss (RFC 9207 §2.4).
  const params = oauth.validateAuthResponse(as, client, landed, state);
  const tokens = await explained(
    oauth
      .authorizationCodeGrantRequest(as, client, clientAuth, params, redirectUri, verifier, insecure)
      .then((res) =>
        oauth.processAuthorizationCodeResponse(as, client, res, { expectedNonce: nonce, requireIdToken: true }),
      ),
  );
  assert.equal(oauth.getValidatedIdTokenClaims(tokens).sub, user.sub, "the ID token names the user");
  assert.ok(tokens.refresh_token, "a refresh token (the client has the refresh_token grant)");

  // A resource server's view: RFC 9068 validation against the JWKS. No resource was requested,
  // so the token is for the issuer's own APIs: its audience is the issuer.
  const apiMe = new URL("/api/me", t.base);
  const assertAccessToken = async (accessToken) => {
    const request = new Request(apiMe, { headers: { Authorization: `Bearer ${accessToken}` } });
    const claims = await explained(oauth.validateJwtAccessToken(as, request, as.issuer, insecure));
    assert.equal(claims.sub, user.sub);
    assert.equal(claims.client_id, client.client_id);
  };
  await assertAccessToken(tokens.access_token);
  const me = await oauth.protectedResourceRequest(tokens.access_token, "GET", apiMe, undefined, null, insecure);
  assert.equal(me.status, 200, `/api/me: ${me.status} ${me.headers.get("www-authenticate")}`);
  assert.equal((await me.json()).sub, user.sub);

  const refresh = (token) =>
    explained(
      oauth
        .refreshTokenGrantRequest(as, client, clientAuth, token, insecure)
        .then((res) => oauth.processRefreshTokenResponse(as, client, res)),
    );
  const refreshed = await refresh(tokens.refresh_token);
  assert.notEqual(refreshed.refresh_token, tokens.refresh_token, "the refresh token rotates");
  await assertAccessToken(refreshed.access_token);

  const refused = { name: "ResponseBodyError", error: "invalid_grant" };
  if (method === "none") {
    // RFC 9700 §4.14.2: a public client cannot authenticate, so any second use of a rotated-out
    // refresh token may be a thief's: refused (RFC 6749 §5.2), and the grant ends.
    await assert.rejects(refresh(tokens.refresh_token), refused);
    await assert.rejects(refresh(refreshed.refresh_token), refused, "the grant ended with the reuse");
    return;
  }
  // A confidential client that retries with the token it just rotated (its response was lost)
  // gets the same successor within REFRESH_TOKEN_REUSE_GRACE, not a revoked grant.
  const retried = await refresh(tokens.refresh_token);
  assert.equal(retried.refresh_token, refreshed.refresh_token, "a retry gets the same successor");
  // Two rotations later the first token is no longer the immediate predecessor: refused, and
  // the whole grant ends (RFC 9700 §4.14.2).
  const next = await refresh(refreshed.refresh_token);
  await assert.rejects(refresh(tokens.refresh_token), refused);
  await assert.rejects(refresh(next.refresh_token), refused, "the grant ended with the reuse");
}

/**
 * A confidential client (client_secret_basic) registered through the admin API with `metadata`,
 * and openid-client's configuration for it from discovery (plain http allowed: local dev).
 */
async function openidClient(t, metadata, execute = []) {
  const registered = await t.admin.createClient({
    redirect_uris: [t.rp.redirectUri],
    token_endpoint_auth_method: "client_secret_basic",
    scope: SCOPE,
    ...metadata,
  });
  const config = await openid.discovery(
    new URL(t.base),
    registered.client_id,
    undefined,
    openid.ClientSecretBasic(registered.client_secret),
    { execute: [openid.allowInsecureRequests, ...execute] },
  );
  return { registered, config };
}

export const tests = [
  {
    name: "oauth4webapi, client_secret_basic: discovery, PKCE, code, ID token, RFC 9068 access token against the JWKS, /api/me, refresh; a retry with the rotated-out token gets the same successor, an older one is refused and ends the grant",
    run: (t, page) =>
      oauth4webapiFlow(t, page, {
        method: "client_secret_basic",
        registeredRedirect: t.rp.redirectUri,
        redirectUri: t.rp.redirectUri,
      }),
  },
  {
    name: "oauth4webapi, client_secret_post, discovery through RFC 8414 metadata: the same flow",
    run: (t, page) =>
      oauth4webapiFlow(t, page, {
        method: "client_secret_post",
        metadata: "oauth2",
        registeredRedirect: t.rp.redirectUri,
        redirectUri: t.rp.redirectUri,
      }),
  },
  {
    name: "oauth4webapi, public client (none) with a loopback redirect URI on an ephemeral port: the same flow",
    run: (t, page) =>
      oauth4webapiFlow(t, page, {
        method: "none",
        registeredRedirect: "http://127.0.0.1/cb",
        redirectUri: `http://127.0.0.1:${t.rp.port}/cb`,
      }),
  },
  {
    name: "openid-client: discovery, buildAuthorizationUrl, authorizationCodeGrant, refreshTokenGrant, /api/me",
    async run(t, page) {
      // Non-repudiation: also verify the ID token's signature against the JWKS.
      const { config } = await openidClient(
        t,
        { client_name: "openid-client", grant_types: ["authorization_code", "refresh_token"] },
        [openid.enableNonRepudiationChecks],
      );
      const verifier = openid.randomPKCECodeVerifier();
      const state = openid.randomState();
      const nonce = openid.randomNonce();
      const authorizationUrl = openid.buildAuthorizationUrl(config, {
        redirect_uri: t.rp.redirectUri,
        scope: SCOPE,
        state,
        nonce,
        code_challenge: await openid.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
      });
      const user = await t.newUser();
      const landed = await loginAndAllow(page, authorizationUrl, t.rp.redirectUri, user);
      // The redirect_uri of the token request is the landed URL without its query.
      const tokens = await explained(
        openid.authorizationCodeGrant(config, landed, {
          pkceCodeVerifier: verifier,
          expectedState: state,
          expectedNonce: nonce,
          idTokenExpected: true,
        }),
      );
      assert.equal(tokens.claims().sub, user.sub);
      const refreshed = await explained(openid.refreshTokenGrant(config, tokens.refresh_token));
      assert.notEqual(refreshed.refresh_token, tokens.refresh_token, "the refresh token rotates");
      const apiMe = new URL("/api/me", t.base);
      const me = await openid.fetchProtectedResource(config, refreshed.access_token, apiMe, "GET");
      assert.equal(me.status, 200, `/api/me: ${me.status} ${me.headers.get("www-authenticate")}`);
      assert.equal((await me.json()).sub, user.sub);
    },
  },
  {
    name: "openid-client: RP-initiated logout, buildEndSessionUrl followed in the browser ends the session and lands on post_logout_redirect_uri with state",
    async run(t, page) {
      const signedOut = t.rp.servePage(
        "signed-out",
        "<!doctype html><title>Signed out</title><p>Signed out of the app.</p>",
        "127.0.0.1",
      );
      const { config } = await openidClient(t, {
        client_name: "openid-client logout",
        post_logout_redirect_uris: [signedOut],
        grant_types: ["authorization_code"],
      });
      assert.equal(config.serverMetadata().end_session_endpoint, new URL("/logout", t.base).href);
      const authorizationUrl = async (extra = {}) => {
        const verifier = openid.randomPKCECodeVerifier();
        const state = openid.randomState();
        const url = openid.buildAuthorizationUrl(config, {
          redirect_uri: t.rp.redirectUri,
          scope: SCOPE,
          state,
          code_challenge: await openid.calculatePKCECodeChallenge(verifier),
          code_challenge_method: "S256",
          ...extra,
        });
        return { url, verifier, state };
      };
      const user = await t.newUser();
      const first = await authorizationUrl();
      const landed = await loginAndAllow(page, first.url, t.rp.redirectUri, user);
      const tokens = await explained(
        openid.authorizationCodeGrant(config, landed, {
          pkceCodeVerifier: first.verifier,
          expectedState: first.state,
          idTokenExpected: true,
        }),
      );
      assert.equal(tokens.claims().sub, user.sub);

      const state = openid.randomState();
      const endSessionUrl = openid.buildEndSessionUrl(config, {
        id_token_hint: tokens.id_token,
        post_logout_redirect_uri: signedOut,
        state,
      });
      // A valid id_token_hint for the signed-in user: no confirmation page, straight back.
      await page.goto(endSessionUrl.href);
      await page.waitForURL((u) => u.href.startsWith(signedOut));
      assert.equal(new URL(page.url()).searchParams.get("state"), state);
      const cookies = await page.context().cookies(t.base);
      assert.ok(!cookies.some((c) => c.name.endsWith("gatehouse-session")), "the session cookie is cleared");

      // The session is over: a silent request answers login_required.
      const silent = await authorizationUrl({ prompt: "none" });
      await page.goto(silent.url.href);
      await page.waitForURL((u) => u.href.startsWith(t.rp.redirectUri));
      assert.equal(new URL(page.url()).searchParams.get("error"), "login_required");
    },
  },
];
