import type { Context } from "hono";
import type { AppEnv } from "../http/app-env";
import { onJsonError } from "../http/on-error";
import { renderJsonError } from "../protocol/error-response";

/** The admin API's own error codes: plain HTTP conditions, not OAuth errors. */
export type AdminErrorCode = "not_found" | "unauthorized" | "conflict";

const STATUS: Record<AdminErrorCode, number> = { not_found: 404, unauthorized: 401, conflict: 409 };

/**
 * An error of the admin API (DESIGN.md "Admin API"). It has the shape of an OAuth error
 * response (`error`, `error_description`) so that one client reads both, but its codes are not
 * OAuth's and never leave the admin API.
 */
export class AdminError extends Error {
  override readonly name = "AdminError";
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly error: AdminErrorCode,
    readonly description: string,
    options: { headers?: Record<string, string> } = {},
  ) {
    super(`${error}: ${description}`);
    this.status = STATUS[error];
    this.headers = options.headers ?? {};
  }
}

/** The admin group's error handler: JSON for its own errors and for every other one. */
export function onAdminError(err: Error, c: Context<AppEnv>): Response {
  return err instanceof AdminError ? renderJsonError(c, err) : onJsonError(err, c);
}
