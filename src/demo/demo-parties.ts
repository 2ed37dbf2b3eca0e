/**
 * The demo's client application and user, seeded on the first demo request of a loopback issuer
 * (the guard in src/app.ts keeps every other issuer away). Both are ordinary records, made by the
 * same code as the admin API's `POST /admin/clients` and `POST /admin/users`, so the demo flow is
 * the real one: the admin API lists them, and deleting them works as for any other.
 */
import type { Config } from "../config";
import { randomToken } from "../crypto/random";
import { type SealKeys, seal, unseal } from "../crypto/seal";
import { parseClientMetadata } from "../oauth/client-metadata";
import { deleteClientAndGrants, registerClient } from "../oauth/client-registration";
import { getClient, putClient } from "../storage/clients";
import {
  getDemoClientPointer,
  getDemoUserPointer,
  putDemoClientPointer,
  putDemoUserPointer,
} from "../storage/demo-records";
import { getSealKey } from "../storage/keys";
import type { Stores } from "../storage/stores";
import { createUser, getUser, setPassword, UsernameTakenError } from "../storage/users";

/**
 * The demo user. Its password is random, made at seeding and shown only by the landing page of a
 * loopback issuer: were the demo ever seeded into storage that a deployment shares
 * (`wrangler dev --remote` on the production namespaces), no published password would let
 * anyone sign in there as this user.
 */
const DEMO_USER = { username: "demo", name: "Demo User", email: "demo@example.com" } as const;

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

export interface DemoUser {
  sub: string;
  username: string;
  /** In clear only in this request's memory: stored sealed, shown on the landing page. */
  password: string;
}

export interface DemoParties {
  client: DemoClient;
  user: DemoUser;
}

// The sealed secrets are read back until their sealing key is retired after a rotation; then the
// demo registers a new client (and removes the old one), and gives the user a new password,
// rather than keep either in clear.
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
  const keys = await getSealKey(stores);
  const [client, user] = await Promise.all([
    demoClient(stores, config, keys, redirectUri),
    demoUser(stores, keys),
  ]);
  return { client, user };
}

async function demoClient(
  stores: Stores,
  config: Config,
  keys: SealKeys,
  redirectUri: string,
): Promise<DemoClient> {
  const pointer = await getDemoClientPointer(stores);
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
    // As a client that registered itself: no operator rights (introspecting every token, error
    // redirects without a session), which a demo whose secret sits on a laptop must not have.
    "self",
  );
  if (clientSecret === undefined) throw new Error("the demo client is confidential: no secret");
  await putDemoClientPointer(stores, {
    client_id: record.client_id,
    sealed_secret: await seal(keys, "demo_secret", { secret: clientSecret }, SECRET_SEAL_TTL),
  });
  return { clientId: record.client_id, clientSecret, redirectUri };
}

async function demoUser(stores: Stores, keys: SealKeys): Promise<DemoUser> {
  const pointer = await getDemoUserPointer(stores);
  if (pointer !== null) {
    const [record, opened] = await Promise.all([
      getUser(stores, pointer.sub),
      unseal<{ secret?: unknown }>(keys, "demo_secret", pointer.sealed_password),
    ]);
    if (record !== null) {
      if (typeof opened?.secret === "string") {
        return { sub: record.sub, username: record.username, password: opened.secret };
      }
      // The sealed password can no longer be opened (its key was retired): a new one.
      const password = readablePassword();
      await setPassword(stores, record.sub, password);
      await rememberUser(stores, keys, record.sub, password);
      return { sub: record.sub, username: record.username, password };
    }
  }
  const password = readablePassword();
  const user = await createUser(stores, { ...DEMO_USER, password }).catch((err: unknown) => {
    // Someone else's "demo" (an operator's user, say): the demo never takes it over.
    if (!(err instanceof UsernameTakenError)) throw err;
    const username = `${DEMO_USER.username}-${randomToken(3)}`;
    return createUser(stores, { ...DEMO_USER, username, password });
  });
  await rememberUser(stores, keys, user.sub, password);
  return { sub: user.sub, username: user.username, password };
}

async function rememberUser(stores: Stores, keys: SealKeys, sub: string, password: string) {
  const sealed = await seal(keys, "demo_secret", { secret: password }, SECRET_SEAL_TTL);
  await putDemoUserPointer(stores, { sub, sealed_password: sealed });
}

/** 80 random bits as four groups of four letters and digits, easy to read and type. */
function readablePassword(): string {
  // 32 symbols, none easily confused (no 0/o, 1/l): each random byte's low 5 bits pick one.
  const alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const symbols = [...bytes].map((b) => alphabet[b & 31]).join("");
  return symbols.match(/.{4}/g)?.join("-") ?? symbols;
}
