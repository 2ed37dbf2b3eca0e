import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../http/app-env";
import { readFormBody } from "../http/params";
import { readSession } from "../http/session";
import { continueAuthorization } from "./authorization-flow";
import { resolveRedirectTarget, validateAuthorizationRequest } from "./authorization-request";
import { OAuthError } from "./errors";

/**
 * The authorization endpoint, RFC 6749 §3.1: GET, and POST with a form body (§3.1: "MUST
 * support GET, MAY support POST").
 */
export const authorizeRoutes = new Hono<AppEnv>();

const FORM_LIMIT = 64 * 1024;

authorizeRoutes.on(["GET", "POST"], "/authorize", bodyLimit({ maxSize: FORM_LIMIT, onError: tooLarge }), async (c) => {
  const pairs = await readPairs(c);
  // Client and redirect URI first: until both are known good, errors are pages, never redirects.
  const target = await resolveRedirectTarget(c.env, pairs);
  const redirectStatus = c.req.method === "POST" ? 303 : 302;
  let request;
  try {
    request = validateAuthorizationRequest(c.get("config"), target, pairs);
  } catch (err) {
    if (err instanceof OAuthError) {
      throw err.renderAs({
        kind: "redirect",
        redirectUri: target.redirectUri,
        state: target.state,
        status: redirectStatus,
      });
    }
    throw err;
  }
  return continueAuthorization(c, target.client, request, {
    session: await readSession(c),
    freshLogin: false,
    redirectStatus,
  });
});

/** The request's parameters, from the query (GET) or the form body (POST); errors are pages. */
async function readPairs(c: Context<AppEnv>): Promise<URLSearchParams> {
  if (c.req.method === "GET") return new URL(c.req.url).searchParams;
  try {
    return await readFormBody(c);
  } catch (err) {
    throw err instanceof OAuthError ? err.renderAs({ kind: "page" }) : err;
  }
}

export function tooLarge(): never {
  throw new OAuthError("invalid_request", "The request is too large", {
    status: 413,
    rendering: { kind: "page" },
  });
}
