// A single-page app signing its user in with Gatehouse: the authorization code flow with PKCE
// for a public client (no secret: a browser cannot keep one), as OAuth 2.1 §7 and
// draft-ietf-oauth-browser-based-apps ask. oauth4webapi builds every request and checks every
// response (state, iss, the ID token's claims and nonce). Tokens live in this module's memory
// only, never in localStorage or sessionStorage, where any script on the origin could read them.
import * as oauth from "./vendor/oauth4webapi.js";

// #region setup
// config.json: { "issuer", "client_id", "api", "scope", "resource"? } (see serve.mjs).
const config = await (await fetch("./config.json")).json();
const issuer = new URL(config.issuer);
const client = { client_id: config.client_id };
// This page is its own redirect URI: registered exactly, as Gatehouse compares strings.
const redirectUri = new URL("./", location.href).href;
// oauth4webapi refuses plain http; allow it for a Gatehouse on this machine only (npm run dev).
const http = ["127.0.0.1", "localhost", "[::1]"].includes(issuer.hostname)
  ? { [oauth.allowInsecureRequests]: true }
  : {};
const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, http));
// #endregion

/** The tokens of the signed-in user: in memory only, gone when the tab closes or reloads. */
let tokens;
let user;

// #region sign-in
async function signIn() {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  // Only these one-time values survive the round trip through Gatehouse's pages: no token does.
  sessionStorage.setItem("pending-sign-in", JSON.stringify({ verifier, state, nonce }));
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: client.client_id,
    redirect_uri: redirectUri,
    scope: config.scope,
    state,
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    ...(config.resource ? { resource: config.resource } : {}),
  }).toString();
  location.assign(url);
}

/** Back from Gatehouse with ?code=…&state=…&iss=… (or ?error=…): exchange the code. */
async function completeSignIn() {
  const pending = JSON.parse(sessionStorage.getItem("pending-sign-in"));
  sessionStorage.removeItem("pending-sign-in");
  const callback = new URL(location.href);
  // The code leaves the address bar and the history at once.
  history.replaceState(null, "", redirectUri);
  // Checks state (CSRF) and iss (RFC 9207: the response came from this issuer); throws on ?error=.
  const params = oauth.validateAuthResponse(as, client, callback, pending.state);
  const response = await oauth.authorizationCodeGrantRequest(
    as, client, oauth.None(), params, redirectUri, pending.verifier, http,
  );
  tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
    expectedNonce: pending.nonce,
    requireIdToken: true,
  });
  user = oauth.getValidatedIdTokenClaims(tokens);
}
// #endregion

// #region use
/** Calls the API with the access token; after a 401, refreshes once and tries again. */
async function callApi() {
  let response = await fetch(config.api, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
  if (response.status === 401 && tokens.refresh_token) {
    await refresh();
    response = await fetch(config.api, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
  }
  return { status: response.status, body: await response.json().catch(() => null) };
}

/**
 * A public client's refresh token rotates on every use (OAuth 2.1 §4.3.1): keep only the new one.
 * Using an old one again ends the whole grant (RFC 9700 §4.14.2).
 */
async function refresh() {
  const response = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token, http);
  tokens = await oauth.processRefreshTokenResponse(as, client, response);
}

/** RFC 7009: revoking the refresh token ends the grant; then the tokens are forgotten. */
async function signOut() {
  if (tokens.refresh_token) {
    const response = await oauth.revocationRequest(as, client, oauth.None(), tokens.refresh_token, http);
    await oauth.processRevocationResponse(response);
  }
  tokens = undefined;
  user = undefined;
}
// #endregion

// The page: buttons for each step, and what happened.
const $ = (id) => document.getElementById(id);
function render(output) {
  $("status").textContent = user ? `Signed in as ${user.name ?? user.sub}` : "Signed out";
  $("status").dataset.sub = user?.sub ?? "";
  $("sign-in").hidden = user !== undefined;
  for (const id of ["call-api", "refresh", "sign-out"]) $(id).hidden = user === undefined;
  if (output !== undefined) $("output").textContent = JSON.stringify(output, null, 2);
}
function on(id, action) {
  $(id).addEventListener("click", () =>
    action().then(render, (err) => render({ error: err.error ?? err.name, message: err.message })),
  );
}
on("sign-in", signIn);
on("call-api", callApi);
on("refresh", async () => {
  await refresh();
  return { refreshed: true, expires_in: tokens.expires_in };
});
on("sign-out", async () => {
  await signOut();
  return { signedOut: true };
});

if (sessionStorage.getItem("pending-sign-in")) {
  await completeSignIn().then(
    () => render({ signedIn: user.sub }),
    (err) => render({ error: err.error ?? err.name, message: err.message }),
  );
} else {
  render();
}
