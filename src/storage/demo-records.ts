/**
 * Which records are the local demo's (src/demo/). This module owns two keys:
 *   demo-client (CLIENTS)   → DemoClientPointer (JSON)
 *   demo-user   (USERS)     → DemoUserPointer (JSON)
 * They sit outside the `client:` and `user:` prefixes, so listings never show them. The client and
 * the user themselves are ordinary records (src/storage/clients.ts, src/storage/users.ts); these
 * only remember their ids and the secrets the demo must present or show, sealed with the
 * deployment's key (src/crypto/seal.ts): the registrations keep only hashes. Only a loopback
 * issuer ever writes them.
 */
import type { Stores } from "./stores";

export interface DemoClientPointer {
  client_id: string;
  /** The client secret, sealed ("demo_secret"). */
  sealed_secret: string;
}

export interface DemoUserPointer {
  sub: string;
  /** The user's password, sealed ("demo_secret"): the landing page shows it. */
  sealed_password: string;
}

const DEMO_CLIENT_KEY = "demo-client";
const DEMO_USER_KEY = "demo-user";

export function getDemoClientPointer(stores: Stores): Promise<DemoClientPointer | null> {
  return stores.CLIENTS.get<DemoClientPointer>(DEMO_CLIENT_KEY, "json");
}

export async function putDemoClientPointer(
  stores: Stores,
  pointer: DemoClientPointer,
): Promise<void> {
  await stores.CLIENTS.put(DEMO_CLIENT_KEY, JSON.stringify(pointer));
}

export function getDemoUserPointer(stores: Stores): Promise<DemoUserPointer | null> {
  return stores.USERS.get<DemoUserPointer>(DEMO_USER_KEY, "json");
}

export async function putDemoUserPointer(stores: Stores, pointer: DemoUserPointer): Promise<void> {
  await stores.USERS.put(DEMO_USER_KEY, JSON.stringify(pointer));
}
