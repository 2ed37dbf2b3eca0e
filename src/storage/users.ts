// OWNER: helper A (clients & users). Key layout of users in the USERS namespace lives here only.
import type { PasswordHash } from "../auth/password";

export interface UserRecord {
  /** Stable subject identifier (random, never reassigned). */
  sub: string;
  username: string;
  email?: string;
  name?: string;
  password: PasswordHash;
  created_at: number;
}

export async function getUser(_env: Env, _sub: string): Promise<UserRecord | null> {
  throw new Error("not implemented");
}
