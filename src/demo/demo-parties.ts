/**
 * The demo's client application and user, seeded on the first demo request of a loopback issuer
 * (the guard in src/app.ts keeps every other issuer away). Both are ordinary records, made by the
 * same code as the admin API's `POST /admin/clients` and `POST /admin/users`, so the demo flow is
 * the real one: the admin API lists them, and deleting them works as for any other.
 */
import type { Config } from "../config";
import { seal, unseal } from "../crypto/seal";
import { parseClientMetadata } from "../oauth/client-metadata";
import { deleteClientAndGrants, registerClient } from "../oauth/client-registration";
import { getClient, putClient } from "../storage/clients";
import { getDemoClientPointer, putDemoClientPointer } from "../storage/demo-client";
import { getSealKey } from "../storage/keys";
import type { Stores } from "../storage/stores";
import { createUser, findUserByUsername, UsernameTakenError } from "../storage/users";

/** Shown on the landing page: local development only, so a published password is no secret. */
export const DEMO_USER = {
  username: "demo",
  password: "gatehouse-demo",
  name: "Demo User",
  email: "demo@example.com",
} as const;

export const DEMO_CLIENT_NAME = "Gatehouse demo app";

/** Everything the demo client may ask for (OIDC Core §11: offline_access for a refresh token). */
export const DEMO_SCOPE = "openid profile email offline_access";

export const DEMO_CALLBACK_PATH = "/demo/callback";

export interface DemoClient {
  clientId: string;
  /** In clear only in this request's memory: stored sealed, sent only to the token endpoint. */
  clientSecret: string;
  redirectUri: string;
}

export interface DemoParties {
  client: DemoClient;
  userSub: string;
}

// The sealed secret is read back until its sealing key is retired after a rotation; then the
// demo registers a new client (and removes the old one) rather than keep the secret in clear.
const SECRET_SEAL_TTL = 365 * 86_400;

/** The tail of the seeding queue: one seeding at a time in this isolate. */
let seeding: Promise<unknown> = Promise.resolve();

/**
 * The demo client and user, created when missing. Idempotent, and serialised in the isolate, so
 * two first visits at once make one client and one user: KV has no compare-and-set, and
 * `npm run dev` serves every request from one isolate, so the queue is enough here. The client's
 * redirect URI follows the issuer, so a changed port (`npm run dev -- --port 9000`) keeps working.
 */
export function demoParties(stores: Stores, config: Config, issuer: string): Promise<DemoParties> {
  const work = () => seed(stores, config, issuer);
  const run = seeding.then(work, work);
  seeding = run.catch(() => undefined);
  return run;
}

async function seed(stores: Stores, config: Config, issuer: string): Promise<DemoParties> {
  const redirectUri = `${issuer}${DEMO_CALLBACK_PATH}`;
  const [client, userSub] = await Promise.all([
    demoClient(stores, config, redirectUri),
    demoUser(stores),
  ]);
  return { client, userSub };
}

async function demoClient(
  stores: Stores,
  config: Config,
  redirectUri: string,
): Promise<DemoClient> {
  const [pointer, keys] = await Promise.all([getDemoClientPointer(stores), getSealKey(stores)]);
  if (pointer !== null) {
    const [record, opened] = await Promise.all([
      getClient(stores, pointer.client_id),
      unseal<{ secret?: unknown }>(keys, "demo_secret", pointer.sealed_secret),
    ]);
    const secret = typeof opened?.secret === "string" ? opened.secret : undefined;
    if (record !== null && secret !== undefined) {
      if (!record.metadata.redirect_uris.includes(redirectUri)) {
        // Another origin or port than last time: the registration follows (exact matching,
        // RFC 9700 §4.1.3), validated as any registration is.
        const metadata = parseClientMetadata(
          { ...record.metadata, redirect_uris: [redirectUri] },
          config,
        );
        await putClient(stores, { ...record, metadata });
      }
      return { clientId: record.client_id, clientSecret: secret, redirectUri };
    }
    // Deleted through the admin API, or its secret can no longer be opened: start afresh.
    if (record !== null) await deleteClientAndGrants(stores, record.client_id);
  }
  const { record, clientSecret } = await registerClient(
    stores,
    config,
    {
      client_name: DEMO_CLIENT_NAME,
      redirect_uris: [redirectUri],
      grant_types: ["authorization_code", "refresh_token"],
      token_endpoint_auth_method: "client_secret_basic",
      scope: DEMO_SCOPE,
      require_offline_access: true,
    },
    "operator",
  );
  if (clientSecret === undefined) throw new Error("the demo client is confidential: no secret");
  await putDemoClientPointer(stores, {
    client_id: record.client_id,
    sealed_secret: await seal(keys, "demo_secret", { secret: clientSecret }, SECRET_SEAL_TTL),
  });
  return { clientId: record.client_id, clientSecret, redirectUri };
}

async function demoUser(stores: Stores): Promise<string> {
  const existing = await findUserByUsername(stores, DEMO_USER.username);
  if (existing !== null) return existing.sub;
  try {
    return (await createUser(stores, { ...DEMO_USER })).sub;
  } catch (err) {
    // Created meanwhile by another isolate: theirs is as good as ours.
    const created = err instanceof UsernameTakenError;
    const user = created ? await findUserByUsername(stores, DEMO_USER.username) : null;
    if (user === null) throw err;
    return user.sub;
  }
}
