// OWNER: lead. Remembered consents in the USERS namespace.
/** Forgets every consent a user gave (called when the user is deleted). */
export async function forgetConsents(_env: Env, _sub: string): Promise<void> {
  throw new Error("not implemented");
}
