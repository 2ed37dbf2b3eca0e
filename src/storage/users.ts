/**
 * Users in the USERS namespace. This module owns their key layout:
 *   user:<sub>               → UserRecord (JSON)
 *   username:<normalised>    → sub (the login index)
 * The namespace also holds `consent:<sub>:<client_id>` keys (src/storage/consents.ts).
 *
 * KV is eventually consistent: a user created or deleted here may take up to 60 s to appear or
 * disappear at other locations, and two simultaneous creations of one username are not
 * serialised. Both are acceptable for an operator-driven user list. `getUser` reads through the
 * isolate's read cache (isolate-cache.ts), which this module's writes and deletes update at once;
 * the login's username look-up reads KV itself, so that it costs the same for every username.
 */
import * as v from "valibot";
import { listJsonPage, type PageOptions } from "./kv-page";
import { jsonObject } from "../protocol/json-object";
import { NewPasswordSchema, hashPassword, type PasswordHash } from "../crypto/password-hash";
import { randomToken } from "../crypto/random";
import { OAuthError } from "../protocol/errors";
import { forgetConsents } from "./consents";
import { cachedJson, deleteCached, putCachedJson } from "./isolate-cache";
import type { Stores } from "./stores";

export interface UserRecord {
  /** Stable subject identifier (random, never reassigned). */
  sub: string;
  /** As entered (NFKC), case preserved for display; compared through `normaliseUsername`. */
  username: string;
  email?: string;
  name?: string;
  password: PasswordHash;
  created_at: number;
}

/** What may leave this module: the record without its password hash. */
export interface PublicUser {
  sub: string;
  username: string;
  email?: string;
  name?: string;
  created_at: number;
}

export const USERNAME_MAX_LENGTH = 64;
// Letters (any script), digits and . _ - @ +: enough for names and e-mail addresses, nothing
// that could be confused with markup or whitespace.
const USERNAME_CHARACTERS = /^[\p{L}\p{N}._@+-]+$/u;

/** Usernames compare case-insensitively and independent of Unicode representation. */
export function normaliseUsername(username: string): string {
  return username.normalize("NFKC").toLowerCase();
}

export const UsernameSchema = v.pipe(
  v.string("username must be a string"),
  v.transform((s) => s.normalize("NFKC")),
  v.check((s) => s.length > 0, "username must not be empty"),
  v.check(
    (s) => [...s].length <= USERNAME_MAX_LENGTH,
    `username must have at most ${USERNAME_MAX_LENGTH} characters`,
  ),
  v.regex(USERNAME_CHARACTERS, "username may contain only letters, digits and . _ - @ +"),
);

/** The body of `POST /admin/users` and the input of `createUser`. Unknown fields are refused. */
export const NewUserSchema = v.pipe(
  // valibot's object schemas accept arrays; a user is a JSON object.
  jsonObject("The user"),
  v.strictObject(
    {
      username: UsernameSchema,
      password: NewPasswordSchema,
      email: v.optional(
        v.pipe(
          v.string("email must be a string"),
          v.trim(),
          v.maxLength(254, "email must have at most 254 characters"),
          v.email("email is not an e-mail address"),
        ),
      ),
      name: v.optional(
        v.pipe(
          v.string("name must be a string"),
          v.trim(),
          v.minLength(1, "name must not be empty"),
          v.maxLength(256, "name must have at most 256 characters"),
        ),
      ),
    },
    (issue) => {
      const field = v.getDotPath(issue) ?? "";
      return issue.expected === "never" ? `unknown field "${field}"` : `${field} is required`;
    },
  ),
);
export type NewUser = v.InferInput<typeof NewUserSchema>;

/** The body of `PUT /admin/users/:id/password`: the new password, checked like a new user's. */
export const PasswordChangeSchema = v.pipe(
  jsonObject("The password change"),
  v.strictObject(
    {
      password: NewPasswordSchema,
      end_grants: v.optional(v.boolean("end_grants must be true or false")),
    },
    (issue) => {
      const field = v.getDotPath(issue) ?? "";
      return issue.expected === "never" ? `unknown field "${field}"` : `${field} is required`;
    },
  ),
);

const userKey = (sub: string) => `user:${sub}`;
const usernameKey = (normalised: string) => `username:${normalised}`;
// Subjects are randomToken(16); anything else cannot name a user (and must not reach KV as a key).
const SUB_SHAPE = /^[A-Za-z0-9_-]{1,64}$/;

export function publicUser(record: UserRecord): PublicUser {
  return {
    sub: record.sub,
    username: record.username,
    ...(record.email === undefined ? {} : { email: record.email }),
    ...(record.name === undefined ? {} : { name: record.name }),
    created_at: record.created_at,
  };
}

export async function getUser(stores: Stores, sub: string): Promise<UserRecord | null> {
  if (!SUB_SHAPE.test(sub)) return null;
  return cachedJson<UserRecord>(stores.USERS, userKey(sub));
}

/** A key no user has (subs are base64url): read in place of a missing user's record. */
const NO_SUCH_USER = "~none";

/** The user with this username (compared case-insensitively), or null. */
export async function findUserByUsername(
  stores: Stores,
  username: string,
): Promise<UserRecord | null> {
  const parsed = v.safeParse(UsernameSchema, username);
  const normalised = parsed.success ? normaliseUsername(parsed.output) : NO_SUCH_USER;
  const sub = await stores.USERS.get(usernameKey(normalised));
  // Always two reads, so the response time does not tell whether a username exists.
  const user = await stores.USERS.get<UserRecord>(userKey(sub ?? NO_SUCH_USER), "json");
  if (sub === null) return null;
  // A stale index entry (user deleted or renamed) must not resolve to someone else.
  return user !== null && normaliseUsername(user.username) === normalised ? user : null;
}

/** A user with this username (in any case) exists already; the admin API answers 409. */
export class UsernameTakenError extends Error {
  override readonly name = "UsernameTakenError";
}

/** Creates a user; UsernameTakenError when the username is taken. */
export async function createUser(stores: Stores, input: unknown): Promise<UserRecord> {
  const parsed = v.safeParse(NewUserSchema, input);
  if (!parsed.success) throw invalidUserInput(parsed.issues);
  const { username, password, email, name } = parsed.output;
  const index = usernameKey(normaliseUsername(username));
  if ((await stores.USERS.get(index)) !== null) {
    throw new UsernameTakenError("A user with this username already exists");
  }
  const record: UserRecord = {
    sub: randomToken(16),
    username,
    ...(email === undefined ? {} : { email }),
    ...(name === undefined ? {} : { name }),
    password: await hashPassword(password),
    created_at: Math.floor(Date.now() / 1000),
  };
  // The record first: an index entry never points to a user that does not exist.
  await putCachedJson(stores.USERS, userKey(record.sub), record);
  await stores.USERS.put(index, record.sub);
  return record;
}

/** Replaces a user's password hash (after a successful login with outdated parameters). */
export async function replacePasswordHash(
  stores: Stores,
  record: UserRecord,
  password: PasswordHash,
): Promise<void> {
  await putCachedJson(stores.USERS, userKey(record.sub), { ...record, password });
}

/** Sets a user's password (hashed here; never stored in clear). False when there is no user. */
export async function setPassword(stores: Stores, sub: string, password: string): Promise<boolean> {
  const user = await getUser(stores, sub);
  if (user === null) return false;
  await replacePasswordHash(stores, user, await hashPassword(password));
  return true;
}

/** Deletes a user, the username index and the user's consents. False when there was no user. */
export async function deleteUser(stores: Stores, sub: string): Promise<boolean> {
  const user = await getUser(stores, sub);
  if (user === null) return false;
  const index = usernameKey(normaliseUsername(user.username));
  // The login index first, so that a half-finished deletion cannot leave a user who logs in.
  if ((await stores.USERS.get(index)) === sub) await stores.USERS.delete(index);
  await deleteCached(stores.USERS, userKey(sub));
  await forgetConsents(stores, sub);
  return true;
}

export interface UserPage {
  users: UserRecord[];
  /** Pass back to get the next page; absent on the last page. */
  cursor?: string;
}

export async function listUsers(stores: Stores, options: PageOptions = {}): Promise<UserPage> {
  const { records, cursor } = await listJsonPage<UserRecord>(stores.USERS, "user:", options);
  return { users: records, ...(cursor === undefined ? {} : { cursor }) };
}

function invalidUserInput(issues: readonly v.BaseIssue<unknown>[]): OAuthError {
  return new OAuthError("invalid_request", issues[0]?.message ?? "The user is invalid");
}
