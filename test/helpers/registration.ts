/**
 * A client that registered itself through `POST /register` (RFC 7591), as anyone may on a
 * deployment with REGISTRATION=open: the self-registered counterpart of createClient.
 */
import type { ClientMetadata } from "../../src/storage/clients";
import { deployment } from "./deployment";
import type { ClientInformation, TestClient } from "./fixtures";

const openRegistration = deployment({ REGISTRATION: "open" });

/** POST /register on an open deployment; the raw response. */
export function register(body: unknown): Promise<Response> {
  return openRegistration("/register", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** Registers a client through POST /register; defaults as createClient's. */
export async function createSelfRegisteredClient(
  overrides: Partial<ClientMetadata> = {},
): Promise<TestClient> {
  const res = await register({
    client_name: "Self-registered client",
    redirect_uris: ["https://self.example/cb"],
    grant_types: ["authorization_code", "refresh_token"],
    scope: "openid profile email",
    ...overrides,
  });
  if (res.status !== 201) {
    throw new Error(`createSelfRegisteredClient fixture: ${res.status} ${await res.text()}`);
  }
  const metadata = (await res.json()) as ClientInformation;
  return {
    client_id: metadata.client_id,
    ...(metadata.client_secret === undefined ? {} : { client_secret: metadata.client_secret }),
    redirect_uri: metadata.redirect_uris[0] ?? "",
    metadata,
  };
}
