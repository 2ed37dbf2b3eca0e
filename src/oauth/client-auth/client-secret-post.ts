// RFC 6749 §2.3.1: client_secret_post, the client's id and secret in the form body.
import { verifyClientSecret } from "../../storage/clients";
import { type ClientAuthMethod, authenticationRequired } from "./method";

export const clientSecretPost: ClientAuthMethod<{ clientId: string; secret: string }> = {
  name: "client_secret_post",
  confidential: true,
  sharedSecret: true,
  recognises: ({ params }) => params.get("client_secret") !== undefined,
  read({ params }) {
    const clientId = params.get("client_id");
    if (clientId === undefined) throw authenticationRequired();
    return { clientId, secret: params.require("client_secret") };
  },
  // Constant time, and the same work for an unknown client (verifyClientSecret).
  verify: (credentials, client) => verifyClientSecret(client, credentials.secret),
};
