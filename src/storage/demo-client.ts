/**
 * Which registered client is the local demo's (src/demo/), in the CLIENTS namespace. This module
 * owns one key there:
 *   demo-client   → DemoClientPointer (JSON)
 * It sits outside the `client:` prefix, so client listings never show it. The client itself is an
 * ordinary `client:<id>` record (src/storage/clients.ts); this only remembers its id and its
 * secret, sealed: the demo application must present the secret at the token endpoint, and the
 * registration keeps only its hash. Only a loopback issuer ever writes it.
 */
import type { Stores } from "./stores";

export interface DemoClientPointer {
  client_id: string;
  /** The client secret sealed with the deployment's key (src/crypto/seal.ts, "demo_secret"). */
  sealed_secret: string;
}

const DEMO_CLIENT_KEY = "demo-client";

export function getDemoClientPointer(stores: Stores): Promise<DemoClientPointer | null> {
  return stores.CLIENTS.get<DemoClientPointer>(DEMO_CLIENT_KEY, "json");
}

export async function putDemoClientPointer(
  stores: Stores,
  pointer: DemoClientPointer,
): Promise<void> {
  await stores.CLIENTS.put(DEMO_CLIENT_KEY, JSON.stringify(pointer));
}
