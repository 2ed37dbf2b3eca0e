import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { OAuthErrorCode } from "../src/protocol/errors";
import { OAuthError } from "../src/resource";
import { authorizationRequest, redirectParams } from "./helpers/browser";
import { deployment } from "./helpers/deployment";
import { basicAuthorization, createClient } from "./helpers/fixtures";
import { ADMIN_TOKEN, ORIGIN, postForm, request } from "./helpers/http";

/**
 * Errors say what went wrong; the route group that catches one decides how it looks (src/app.ts):
 * JSON by default (RFC 6749 §5.2), and at the authorization endpoint and its forms an HTML page
 * until the client and redirect URI are validated, a redirect back to the client after that
 * (RFC 6749 §4.1.2.1). The browser's Accept header does not change a group's choice.
 */

const HTML = { Accept: "text/html,application/xhtml+xml" };

async function expectJsonError(res: Response, status: number, error: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  expect(res.headers.get("Pragma")).toBe("no-cache");
  const body = await res.json<{ error: string; error_description: string }>();
  expect(body.error).toBe(error);
  expect(body.error_description).toBeTruthy();
  return body;
}

async function expectErrorPage(res: Response, status: number, error: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("Location")).toBeNull();
  expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
  const page = await res.text();
  expect(page).toContain(error);
  return page;
}

/** A binding whose every call fails, as storage does in an outage. */
function failing<T extends object>(binding: T, message: string): T {
  return new Proxy(binding, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return () => Promise.reject(new Error(message));
    },
  });
}

describe("each route group renders its own errors", () => {
  it("the token group answers in JSON, even to a browser that asks for HTML", async () => {
    const res = await postForm("/token", { grant_type: "urn:example:nothing" }, HTML);
    await expectJsonError(res, 400, "unsupported_grant_type");
  });

  it("the same refusal (a body too large) is JSON at /token and /register, a page at /authorize", async () => {
    const big = `state=${"s".repeat(70_000)}`;
    const form = { "Content-Type": "application/x-www-form-urlencoded", ...HTML };
    for (const path of ["/token", "/revoke", "/introspect"]) {
      const res = await request(path, { method: "POST", headers: form, body: big });
      await expectJsonError(res, 413, "invalid_request");
    }
    const register = deployment({ REGISTRATION: "open" });
    const json = { "Content-Type": "application/json", ...HTML };
    const res = await register("/register", { method: "POST", headers: json, body: big });
    await expectJsonError(res, 413, "invalid_request");
    // No Accept header at all: the authorization endpoint still shows a page (a browser's form).
    const page = await request("/authorize", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: big,
    });
    await expectErrorPage(page, 413, "invalid_request");
  });

  it("an unexpected failure is a JSON server_error in the token and admin groups and a page at /authorize, never with its details", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const secret = `storage detail ${crypto.randomUUID()}`;
    const send = deployment({ CLIENTS: failing(env.CLIENTS, secret) });
    try {
      const token = await send("/token", {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          Authorization: basicAuthorization("some-client", "some-secret"),
          ...HTML,
        },
        body: "grant_type=authorization_code&code=x",
      });
      const body = await expectJsonError(token, 500, "server_error");
      expect(JSON.stringify(body)).not.toContain(secret);

      const admin = await send("/admin/clients/some-client", {
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, ...HTML },
      });
      expect(JSON.stringify(await expectJsonError(admin, 500, "server_error"))).not.toContain(secret);

      const page = await send("/authorize?response_type=code&client_id=some-client");
      expect(await expectErrorPage(page, 500, "server_error")).not.toContain(secret);
      // The log keeps what the client does not see.
      expect(log.mock.calls.some((args) => args.some((a) => String(a).includes(secret)))).toBe(true);
    } finally {
      log.mockRestore();
    }
  });

  it("the authorization group shows a page before the redirect target is validated, and redirects after", async () => {
    const client = await createClient();
    // Before: an unregistered redirect URI is never redirected to, whatever the client accepts.
    const { url, state } = await authorizationRequest(client, { extra: { prompt: "none" } });
    const evil = url.replace(
      encodeURIComponent(client.redirect_uri),
      encodeURIComponent("https://evil.example/cb"),
    );
    await expectErrorPage(
      await request(evil, { headers: { Accept: "application/json" } }),
      400,
      "invalid_request",
    );
    // After: the same request with the registered redirect URI (an operator's client, prompt=none)
    // hears its error at the client: 302 for GET, 303 after a form POST (RFC 9700 §4.12).
    const spoiled = url.replace("response_type=code", "response_type=token");
    const get = await request(spoiled, { headers: { Accept: "application/json" } });
    expect(get.status).toBe(302);
    expect(get.headers.get("Cache-Control")).toBe("no-store");
    const params = redirectParams(get, client.redirect_uri);
    expect(params.get("error")).toBe("unsupported_response_type");
    expect(params.get("state")).toBe(state);
    expect(params.get("iss")).toBe(ORIGIN);
    const post = await postForm("/authorize", new URLSearchParams(spoiled.split("?")[1]));
    expect(post.status).toBe(303);
    expect(redirectParams(post, client.redirect_uri).get("error")).toBe("unsupported_response_type");
  });

  it("an unknown path and a closed registration endpoint are 404 not_found, in JSON", async () => {
    await expectJsonError(await request("/no-such-endpoint", { headers: HTML }), 404, "not_found");
    const closed = await request("/register", {
      method: "POST",
      headers: { "Content-Type": "application/json", ...HTML },
      body: "{}",
    });
    const body = await expectJsonError(closed, 404, "not_found");
    expect(body.error_description).toContain("registration");
  });

  it("the admin API's own codes are not OAuth error codes, nor exported by gatehouse/resource", () => {
    // Checked by tsc (npm test runs it first): the lines below stop compiling if admin codes
    // ever join OAuthErrorCode again.
    // @ts-expect-error: not_found is the admin API's code (src/admin/errors.ts), not OAuth's
    const code: OAuthErrorCode = "not_found";
    // @ts-expect-error: so is conflict, and the resource package's OAuthError refuses it
    const err = new OAuthError("conflict", "taken");
    expect([code, err.error]).toEqual(["not_found", "conflict"]);
  });
});
