import { exports } from "cloudflare:workers";

/** The origin tests talk to; with ISSUER unset it is also the issuer. */
export const ORIGIN = "http://localhost";
export const ADMIN_TOKEN = "test-admin-token";

/** Sends a request to the Worker under test, as a client would over HTTP. */
export function request(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(new URL(path, ORIGIN), { redirect: "manual", ...init }));
}

/**
 * A form-encoded POST (token, revocation, introspection endpoints; login and consent forms), to
 * the Worker under test or to another deployment's `send`.
 */
export function postForm(
  path: string,
  form: Record<string, string> | URLSearchParams,
  headers: Record<string, string> = {},
  send: typeof request = request,
): Promise<Response> {
  return send(path, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body: form instanceof URLSearchParams ? form : new URLSearchParams(form),
  });
}

/** A JSON call to the admin API with the test admin token. */
export function admin(method: string, path: string, body?: unknown): Promise<Response> {
  return request(`/admin${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}
