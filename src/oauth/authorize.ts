import type { Context } from "hono";
import { Hono } from "hono/tiny";
import type { AppEnv } from "../http/app-env";
import { limitBody } from "../http/body-limit";
import { readFormBody } from "../http/params";
import { readSession } from "../http/session";
import { onAuthorizationError } from "./authorization-errors";
import { continueAuthorization, refuseAuthorization } from "./authorization-flow";
import {
  type AuthorizationRequest,
  resolveRedirectTarget,
  validateAuthorizationRequest,
} from "./authorization-request";
import { getVerificationKeys } from "../storage/keys";
import { idTokenHintSubject } from "../tokens/id-token-hint";
import { OAuthError } from "../protocol/errors";

/**
 * The authorization endpoint, RFC 6749 §3.1: GET, and POST with a form body (§3.1: "MUST
 * support GET, MAY support POST"). Its errors are pages, or redirects once the target is known.
 */
export const authorizeRoutes = new Hono<AppEnv>().onError(onAuthorizationError);

authorizeRoutes.on(["GET", "POST"], "/authorize", limitBody(), async (c) => {
  const pairs = await readPairs(c);
  // Client and redirect URI first: until both are known good, errors are pages, never redirects.
  const target = await resolveRedirectTarget(c.get("stores"), pairs, c.get("config"));
  const redirectStatus = c.req.method === "POST" ? 303 : 302;
  let request: AuthorizationRequest;
  try {
    request = validateAuthorizationRequest(c.get("config"), target, pairs);
    const hint = pairs.get("id_token_hint");
    if (hint) {
      request.hintedSub = await idTokenHintSubject(
        await getVerificationKeys(c.get("stores")),
        hint,
        c.get("issuer"),
        target.client.client_id,
      );
    }
  } catch (err) {
    // RFC 9700 §4.11.2: the error reaches the client only once the user is signed in.
    return refuseAuthorization(c, target, err, {
      promptNone: pairs.getAll("prompt").some((p) => p.split(" ").includes("none")),
      redirectStatus,
    });
  }
  return continueAuthorization(c, target.client, request, {
    session: await readSession(c),
    freshLogin: false,
    redirectStatus,
  });
});

authorizeRoutes.all("/authorize", () => {
  throw new OAuthError("invalid_request", "The authorization endpoint accepts GET and POST", {
    status: 405,
    headers: { Allow: "GET, POST" },
  });
});

/** The request's parameters, from the query (GET) or the form body (POST); errors are pages. */
async function readPairs(c: Context<AppEnv>): Promise<URLSearchParams> {
  if (c.req.method !== "POST") return new URL(c.req.url).searchParams;
  return readFormBody(c);
}
