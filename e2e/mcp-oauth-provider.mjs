// The MCP TypeScript SDK's OAuthClientProvider for a client application without a browser: where
// a desktop client would open the system browser, redirectToAuthorization signs a user in through
// Gatehouse's own forms over HTTP (./headless-browser.mjs) and keeps the authorization response,
// after the checks a client owes it (state, RFC 6749 §10.12; iss, RFC 9207 §2.4). Everything
// else (discovery, registration, PKCE, token requests) is the SDK's.
import { randomBytes } from "node:crypto";
import { HeadlessBrowser } from "./headless-browser.mjs";

export class HeadlessOAuthProvider {
  /**
   * @param {{ user: { username: string, password: string }, redirectUrl: string,
   *   clientMetadata: object, clientInformation?: object }} options
   *   `clientInformation`: a client the application already has (a client ID metadata document
   *   URL as its client_id); without it the SDK registers one (RFC 7591).
   */
  constructor({ user, redirectUrl, clientMetadata, clientInformation }) {
    this.user = user;
    this.browser = new HeadlessBrowser();
    this._redirectUrl = redirectUrl;
    this._clientMetadata = clientMetadata;
    this._clientInformation = clientInformation;
    this._tokens = undefined;
    this._codeVerifier = undefined;
    this._state = undefined;
    this._discovery = undefined;
    /** Authorization codes received and not yet taken, and every consent page shown. */
    this.codes = [];
    this.consentPages = [];
  }

  get redirectUrl() {
    return this._redirectUrl;
  }

  get clientMetadata() {
    return this._clientMetadata;
  }

  state() {
    this._state = randomBytes(16).toString("base64url");
    return this._state;
  }

  clientInformation() {
    return this._clientInformation;
  }

  saveClientInformation(info) {
    this._clientInformation = info;
  }

  tokens() {
    return this._tokens;
  }

  saveTokens(tokens) {
    this._tokens = tokens;
  }

  saveCodeVerifier(verifier) {
    this._codeVerifier = verifier;
  }

  codeVerifier() {
    if (!this._codeVerifier) throw new Error("no code verifier saved");
    return this._codeVerifier;
  }

  saveDiscoveryState(state) {
    this._discovery = state;
  }

  discoveryState() {
    return this._discovery;
  }

  invalidateCredentials(scope) {
    if (scope === "all" || scope === "client") this._clientInformation = undefined;
    if (scope === "all" || scope === "tokens") this._tokens = undefined;
    if (scope === "all" || scope === "verifier") this._codeVerifier = undefined;
    if (scope === "all" || scope === "discovery") this._discovery = undefined;
  }

  async redirectToAuthorization(authorizationUrl) {
    const landed = await this.browser.authorize(authorizationUrl, this._redirectUrl, this.user, {
      onConsent: (html) => this.consentPages.push(html),
    });
    const params = landed.searchParams;
    if (params.get("error")) {
      throw new Error(`authorization refused: ${params.get("error")} ${params.get("error_description") ?? ""}`);
    }
    if (params.get("state") !== this._state) throw new Error(`state mismatch in ${landed.href}`);
    // RFC 9207 §2.4: the issuer named in the response is the one whose metadata the SDK used.
    const issuer = this._discovery?.authorizationServerMetadata?.issuer;
    if (this._discovery?.authorizationServerMetadata?.authorization_response_iss_parameter_supported) {
      if (params.get("iss") !== issuer) throw new Error(`iss ${params.get("iss")} is not ${issuer}`);
    }
    const code = params.get("code");
    if (!code) throw new Error(`no code in ${landed.href}`);
    this.codes.push(code);
  }

  /** The authorization code of the last redirect, for auth({ authorizationCode }) or finishAuth. */
  takeAuthorizationCode() {
    const code = this.codes.shift();
    if (!code) throw new Error("no authorization code was received");
    return code;
  }
}
