#!/usr/bin/env node
// A command-line (native) app that signs its user in with Gatehouse as RFC 8252 asks: in the
// system browser (never an embedded web view, §8.12), with the authorization code flow and PKCE
// (§8.1), as a public client (no secret: anyone can read one out of an installed app, §8.5),
// and a redirect to a loopback port the operating system picks (§7.3). oauth4webapi builds every
// request and checks every response.
//
//   CLIENT_ID=… node examples/native-app/sign-in.mjs
//
// Environment: CLIENT_ID (required), GATEHOUSE_URL (default http://127.0.0.1:8787).
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import * as oauth from "oauth4webapi";

/** How long the app waits for the user to finish in the browser. */
const SIGN_IN_TIMEOUT_MS = 5 * 60_000;

// #region sign-in
/**
 * Signs the user in; answers the token response. `openBrowser(url)` shows Gatehouse's pages
 * (default: the system browser).
 */
export async function signIn({ issuer, clientId, scope = "openid profile", openBrowser = openSystemBrowser }) {
  const as = await discover(issuer);
  const client = { client_id: clientId };
  // RFC 8252 §7.3, §8.3: 127.0.0.1 (not "localhost"), any free port; Gatehouse accepts any port
  // for a registered http://127.0.0.1/callback.
  const loopback = await listenForRedirect();
  const redirectUri = `http://127.0.0.1:${loopback.port}/callback`;
  try {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const url = new URL(as.authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: "code",
      client_id: clientId,
      redirect_uri: redirectUri,
      scope,
      state,
      nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
    }).toString();
    await openBrowser(url.href);
    const callback = await loopback.redirect;
    // Checks state and iss (RFC 9207); an ?error= answer throws AuthorizationResponseError.
    const params = oauth.validateAuthResponse(as, client, callback, state);
    const response = await oauth.authorizationCodeGrantRequest(
      as, client, oauth.None(), params, redirectUri, verifier, httpOnLoopback(issuer),
    );
    return await oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: nonce,
      requireIdToken: true,
    });
  } finally {
    loopback.close();
  }
}
// #endregion

// #region refresh
/** A new token response for the refresh token; the refresh token rotates, keep the new one. */
export async function refresh({ issuer, clientId, refreshToken }) {
  const as = await discover(issuer);
  const client = { client_id: clientId };
  const response = await oauth.refreshTokenGrantRequest(
    as, client, oauth.None(), refreshToken, httpOnLoopback(issuer),
  );
  return oauth.processRefreshTokenResponse(as, client, response);
}

/** OpenID Connect UserInfo for the access token of `tokens`. */
export async function userInfo({ issuer, clientId, tokens }) {
  const as = await discover(issuer);
  const client = { client_id: clientId };
  const { sub } = oauth.getValidatedIdTokenClaims(tokens);
  const response = await oauth.userInfoRequest(as, client, tokens.access_token, httpOnLoopback(issuer));
  return oauth.processUserInfoResponse(as, client, sub, response);
}
// #endregion

/** RFC 8414 / OpenID Connect Discovery: the endpoints, from the issuer alone. */
async function discover(issuer) {
  const url = new URL(issuer);
  return oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, httpOnLoopback(issuer)));
}

/** oauth4webapi refuses plain http; a Gatehouse on this machine (npm run dev) is allowed. */
function httpOnLoopback(issuer) {
  const { protocol, hostname } = new URL(issuer);
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(hostname);
  return protocol === "http:" && loopback ? { [oauth.allowInsecureRequests]: true } : {};
}

/**
 * A one-shot HTTP server on 127.0.0.1 and a free port: `redirect` resolves with the URL the
 * browser was sent to once it reaches /callback; the browser is told it may close the tab.
 */
async function listenForRedirect() {
  let resolve;
  let reject;
  const redirect = new Promise((res, rej) => ((resolve = res), (reject = rej)));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://127.0.0.1:${server.address().port}`);
    if (url.pathname !== "/callback") return void res.writeHead(404).end();
    const done = url.searchParams.has("code") ? "You are signed in" : "Sign-in did not complete";
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
    res.end(`<!doctype html><title>${done}</title><p>${done}. You can close this tab and return to the app.</p>`);
    resolve(url);
  });
  await new Promise((listening) => server.listen(0, "127.0.0.1", listening));
  const timer = setTimeout(() => reject(new Error("sign-in timed out")), SIGN_IN_TIMEOUT_MS);
  return {
    port: server.address().port,
    redirect,
    close() {
      clearTimeout(timer);
      server.close();
      server.closeAllConnections();
    },
  };
}

/** Opens `url` in the user's default browser, and prints it in case none opens. */
async function openSystemBrowser(url) {
  console.log(`Sign in in your browser: ${url}`);
  const [command, ...args] =
    process.platform === "darwin" ? ["open", url]
    : process.platform === "win32" ? ["cmd", "/c", "start", "", url]
    : ["xdg-open", url];
  spawn(command, args, { stdio: "ignore", detached: true }).on("error", () => {}).unref();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const issuer = process.env.GATEHOUSE_URL ?? "http://127.0.0.1:8787";
  const clientId = process.env.CLIENT_ID;
  if (!clientId) {
    console.error("CLIENT_ID is required: the client_id of a public client (npm run admin -- clients add --public …)");
    process.exit(2);
  }
  const tokens = await signIn({ issuer, clientId });
  const claims = await userInfo({ issuer, clientId, tokens });
  console.log(`Signed in as ${claims.name ?? claims.sub} (access token valid for ${tokens.expires_in} s)`);
}
