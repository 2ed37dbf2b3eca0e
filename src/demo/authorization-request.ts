/**
 * The demo client's authorization request (RFC 6749 §4.1.1), each parameter with the reason a
 * careful client sends it: the demo's step 1 shows this table.
 */
import { s256 } from "../oauth/pkce";
import { DEMO_SCOPE, type DemoClient } from "./demo-parties";

export interface ParameterRow {
  name: string;
  value: string;
  meaning: string;
}

/** What the demo keeps for the callback: never sent as is (the verifier only as its hash). */
export interface PendingRequest {
  state: string;
  nonce: string;
  verifier: string;
}

export async function authorizationParameters(
  client: DemoClient,
  pending: PendingRequest,
): Promise<ParameterRow[]> {
  return [
    {
      name: "response_type",
      value: "code",
      meaning: "The authorization code flow (RFC 6749 §4.1), the only one OAuth 2.1 keeps.",
    },
    {
      name: "client_id",
      value: client.clientId,
      meaning: "Which application asks: the demo client, registered like any other.",
    },
    {
      name: "redirect_uri",
      value: client.redirectUri,
      meaning: "Where the answer goes. Must equal a registered URI exactly (RFC 9700 §4.1.3).",
    },
    {
      name: "scope",
      value: DEMO_SCOPE,
      meaning:
        "What it asks for: OpenID Connect sign-in, profile, e-mail, and offline_access for a " +
        "refresh token (OIDC Core §11).",
    },
    {
      name: "state",
      value: pending.state,
      meaning:
        "Random, kept by the demo; the callback must bring it back unchanged (RFC 6749 §10.12, " +
        "against CSRF).",
    },
    {
      name: "code_challenge",
      value: await s256(pending.verifier),
      meaning:
        "SHA-256 of a secret verifier the demo keeps (PKCE, RFC 7636 §4.2): a stolen code is " +
        "useless without it.",
    },
    {
      name: "code_challenge_method",
      value: "S256",
      meaning: "Gatehouse accepts only S256 (RFC 9700 §2.1.1).",
    },
    {
      name: "nonce",
      value: pending.nonce,
      meaning:
        "Random; comes back inside the ID token, so a replayed ID token is refused (OIDC Core " +
        "§3.1.2.1).",
    },
    {
      name: "prompt",
      value: "consent",
      meaning:
        "Show the consent page even if you allowed the demo before, so that you see it (OIDC " +
        "Core §3.1.2.1).",
    },
  ];
}
