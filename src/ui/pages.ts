// OWNER: helper D (pages). The props each page needs; the route handlers (lead) render them.
export interface LoginPageProps {
  /** The client's display name (client_name, else client_id). */
  clientName: string;
  /** Sealed pending authorization request, posted back in a hidden field. */
  request: string;
  /** Anti-CSRF token, posted back in a hidden field named "csrf". */
  csrf: string;
  /** Form action (POST). */
  action: string;
  username?: string;
  /** "Invalid username or password", "Too many attempts…" */
  error?: string;
}

export interface ScopeDescription {
  scope: string;
  description: string;
}

export interface ConsentPageProps {
  clientName: string;
  clientUri?: string;
  /** Origin of the redirect URI the browser will be sent to, shown to the user. */
  redirectOrigin: string;
  scopes: ScopeDescription[];
  /** Who is logged in (name or username). */
  userName: string;
  request: string;
  csrf: string;
  action: string;
}
