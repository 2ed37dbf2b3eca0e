// RFC 7591 §2 "none": a public client (RFC 6749 §2.1) names itself with its client_id in the
// body and proves possession through PKCE instead (RFC 7636, OAuth 2.1 §2.4).
import type { ClientAuthMethod } from "./method";

export const none: ClientAuthMethod = {
  name: "none",
  confidential: false,
  sharedSecret: false,
  recognises: ({ params }) => params.get("client_id") !== undefined,
  read: ({ params }) => ({ clientId: params.require("client_id") }),
  // A client registered with a secret cannot shed it by not sending it.
  verify: async (_credentials, client) => client !== null && client.client_secret_hash === undefined,
};
