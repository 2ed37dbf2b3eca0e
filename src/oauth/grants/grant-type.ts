// The shape of a grant type (RFC 6749 §4, §6; RFC 8693, RFC 8628 and others add more): one file
// each under src/oauth/grants/, registered once in src/oauth/grants/index.ts.
import type { Config } from "../../config";
import type { ClientRecord } from "../../storage/clients";
import type {
  GrantStatus,
  RedeemCodeInput,
  RedeemCodeResult,
  RotateRefreshTokenInput,
  RotateRefreshTokenResult,
} from "../../storage/grant-types";
import type { UserRecord } from "../../storage/users";
import type { AccessTokenPayload } from "../../tokens/access-token";
import type { TokenIssuance, TokenResponse } from "../../tokens/issue";
import type { AuthorizationCodePayload } from "../sealed-code";
import type { Clock } from "../clock";

/** The token request's parameters, narrowed to the ones the grant type declared. */
export interface GrantParams<Name extends string> {
  get(name: Name): string | undefined;
  getAll(name: Name): string[];
  /** The parameter, or `invalid_request` naming it. */
  require(name: Name): string;
}

/**
 * What the grant types may read and write, passed in rather than imported, so that a grant is
 * plain protocol logic: which store is behind it is the token endpoint's choice
 * (src/oauth/grants/stores.ts).
 */
export interface GrantStores {
  users: { get(sub: string): Promise<UserRecord | null> };
  /** The grants, in their user's Durable Object: one call per exchange or refresh. */
  grants: {
    redeemCode(input: RedeemCodeInput): Promise<RedeemCodeResult>;
    rotateRefreshToken(sub: string, input: RotateRefreshTokenInput): Promise<RotateRefreshTokenResult>;
    /** Whether the grant still stands (read-only; token exchange checks its subject token's). */
    status(sub: string, grantId: string): Promise<GrantStatus>;
  };
  /** Registered clients (token exchange: the client a client-subject token names). */
  clients: { get(clientId: string): Promise<ClientRecord | null> };
  /**
   * Reads back an access token that `issuer` issued (signature, `typ`, issuer; not its expiry):
   * src/tokens/own-access-token.ts. Null for anything else.
   */
  accessTokens: { read(token: string, issuer: string): Promise<AccessTokenPayload | null> };
  /** The client → users index (src/storage/client-grants.ts). */
  clientGrants: {
    record(entry: { clientId: string; sub: string; expiresAt: number }): Promise<void>;
  };
  /** Opens a sealed authorization code; throws `invalid_grant` when it is not a valid one. */
  codes: { open(code: string): Promise<AuthorizationCodePayload> };
  /** Refresh tokens sealed for a retry within the grace (src/storage/refresh-tokens.ts). */
  sealedRefreshTokens: {
    /** Seals `token` to be handed out again for `graceSeconds` (and a little longer). */
    seal(token: string, graceSeconds: number): Promise<string>;
    open(sealed: string): Promise<{ token: string; hash: string } | null>;
  };
  /** Token issuing (src/tokens/issue.ts) with this deployment's keys. */
  tokens: {
    /** Loads the signing keys into this isolate, so that issuing after a commit cannot fail on I/O. */
    ready(): Promise<unknown>;
    issue(issuance: TokenIssuance): Promise<TokenResponse>;
  };
}

/** Everything a grant handler gets: no HTTP request, no Hono context. */
export interface GrantContext<Name extends string = string> {
  /** The authenticated client, already known to have registered this grant type (RFC 7591 §2). */
  client: ClientRecord;
  params: GrantParams<Name>;
  config: Config;
  issuer: string;
  stores: GrantStores;
  clock: Clock;
}

export interface GrantType<Name extends string = string> {
  /** The `grant_type` value of the token request (RFC 6749 §4.1.3, §6; or an absolute URI). */
  readonly grantType: string;
  /** The request parameters the handler reads, besides `grant_type` and client authentication. */
  readonly parameters: readonly Name[];
  /** Decides the request and answers with tokens (RFC 6749 §5.1) or throws an OAuthError (§5.2). */
  handle(context: GrantContext<Name>): Promise<TokenResponse>;
}
