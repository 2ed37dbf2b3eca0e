// What the user's Durable Object (src/storage/user-object.ts) is asked and answers: the
// grant as the rest of Gatehouse sees it. Types only.
import type { ClientAllowance } from "../protocol/client-allowance";

export interface GrantRecord {
  grantId: string;
  clientId: string;
  sub: string;
  scope: string[];
  /** RFC 8707 resources the grant was issued for. */
  resource: string[];
  /** Seconds since the epoch when the user authenticated (OIDC `auth_time`). */
  authTime: number;
  /** How the user authenticated (OIDC Core §2 `amr`, `acr`); absent for older grants. */
  amr?: string[] | undefined;
  acr?: string | undefined;
  /** Seconds since the epoch. */
  createdAt: number;
  /** Seconds since the epoch: the absolute end of the grant (GRANT_MAX_LIFETIME). */
  expiresAt: number;
  /** Seconds since the epoch; absent when the grant has no live refresh token. */
  refreshExpiresAt?: number;
}

/** What the sealed code binds the grant to (RFC 6749 §4.1.2), with what the exchange adds. */
export interface RedeemCodeInput
  extends Pick<
    GrantRecord,
    "grantId" | "clientId" | "sub" | "scope" | "resource" | "authTime" | "amr" | "acr"
  > {
  /** SHA-256 of the first refresh token, when the client receives refresh tokens. */
  refreshTokenHash?: string;
  /** Seconds since the epoch (at most `expiresAt`). */
  refreshExpiresAt?: number;
  /** Seconds since the epoch: the grant's absolute end. */
  expiresAt: number;
  /**
   * Seconds since the epoch until which the grant must be remembered even without a refresh
   * token: the later of the code's and the access token's expiry (replay detection and
   * introspection need it until then).
   */
  retainUntil: number;
  now: number;
}

export type RedeemCodeResult =
  | { ok: true }
  | { ok: false; reason: "code_reused"; clientId: string }
  | { ok: false; reason: "user_deleted" };

export interface RotateRefreshTokenInput {
  grantId: string;
  presentedHash: string;
  clientId: string;
  newHash: string;
  /** Seconds since the epoch: now + REFRESH_TOKEN_TTL (capped here at the grant's end). */
  newExpiresAt: number;
  /**
   * The new refresh token sealed with the deployment key, kept so that a retry within the grace
   * gets it again. Only for clients that may retry (confidential ones); never stored in clear.
   */
  sealedNew?: string;
  /** Seconds during which the immediately previous token may be presented again (0: never). */
  graceSeconds: number;
  /**
   * Scopes and resources the client asks the new tokens to be narrowed to (RFC 6749 §6,
   * RFC 8707 §2.2). Checked before anything changes, so a refused request leaves the presented
   * refresh token usable.
   */
  scope?: readonly string[];
  resource?: readonly string[];
  /** Seconds since the epoch: the new access token's expiry. */
  retainUntil: number;
  /**
   * What the client's registration allows now. A grant holding more (made under a registration
   * since narrowed) is revoked rather than rotated.
   */
  clientAllows: ClientAllowance;
  now: number;
}

export type RotateRefreshTokenResult =
  | {
      ok: true;
      grant: GrantRecord & { refreshExpiresAt: number };
      /** Present on a retry within the grace: the successor already issued, sealed. */
      sealedSuccessor?: string;
    }
  | { ok: false; reason: "reused"; grant: GrantRecord }
  | {
      ok: false;
      reason:
        | "revoked"
        | "unknown"
        | "expired"
        | "client_mismatch"
        | "client_narrowed"
        | "invalid_scope"
        | "invalid_target";
    };

export type GrantStatus =
  | { state: "unknown" }
  | { state: "active" | "revoked" | "expired"; grant: GrantRecord };

/** The grant's current refresh token, as introspection reports it (RFC 7662 §2.2). */
export type CurrentRefreshToken =
  | { current: true; grant: GrantRecord; expiresAt: number }
  | { current: false };

/** What revoking a presented refresh token did (RFC 7009 §2.1). */
export type RevokeRefreshTokenResult = "revoked" | "unknown" | "client_mismatch";
