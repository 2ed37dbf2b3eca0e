/**
 * What a client's registration allows a grant to hold: its registered `scope` (RFC 7591 §2) and,
 * when it lists them, its RFC 8707 resources (absent: every resource the deployment serves).
 */
export interface ClientAllowance {
  scope: readonly string[];
  resources?: readonly string[] | undefined;
}

/**
 * Whether a grant's scope and resources are all within what the client's registration allows
 * now. A registration can be narrowed (RFC 7592 §2.2, the admin API) while another location
 * still reads the old one (KV's propagation, the isolate cache): a code issued or a grant made
 * under the wider registration must not outlive it.
 */
export function withinAllowance(
  allowance: ClientAllowance,
  scope: readonly string[],
  resources: readonly string[],
): boolean {
  const scopes = new Set(allowance.scope);
  if (!scope.every((s) => scopes.has(s))) return false;
  const allowed = allowance.resources;
  return allowed === undefined || resources.every((r) => allowed.includes(r));
}
