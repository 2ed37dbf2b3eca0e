import { Hono } from "hono/tiny";
import { HTTPException } from "hono/http-exception";
import type { LoginHost, LoginMethod } from "../auth/method";
import { LOGIN_METHODS, loginMethodsOf } from "../auth/methods";
import type { AppEnv } from "../http/app-env";
import { onAuthorizationError } from "./authorization-errors";
import { continueAuthorization, refusalAfterSignIn } from "./authorization-flow";
import { isRefused, reloadRedirectTarget } from "./authorization-request";
import { readInteraction } from "./interaction";
import { showLoginPage } from "./interaction-pages";

/**
 * The authorization flow's side of a sign-in, handed down to the login methods (src/auth/),
 * which sit below oauth/ and so cannot import it: a method opens its form's POST here, and
 * completeLogin resumes the authorization through what `open` returns.
 */
const loginHost: LoginHost = {
  async open(c, method) {
    // Configuration chooses the methods: a method not offered has no routes.
    if (!loginMethodsOf(c.get("config")).includes(method)) {
      throw new HTTPException(404, { message: "No such endpoint" });
    }
    const { form, ticket } = await readInteraction(c);
    const { request } = ticket;
    const { client } = await reloadRedirectTarget(c.get("stores"), request, c.get("config"));
    return {
      form,
      retry: (failure) => showLoginPage(c, client, request, failure),
      async resume(session, user) {
        // RFC 9700 §4.11.2: the error held back until sign-in now goes to the client.
        if (isRefused(request)) throw refusalAfterSignIn(c, request, 303);
        return continueAuthorization(c, client, request, {
          session,
          freshLogin: true,
          user,
          // A form POST is answered with 303 (RFC 9700 §4.12).
          redirectStatus: 303,
        });
      },
    };
  },
};

/** The routes of `methods`, each handed the host; those LOGIN_METHODS leaves out answer 404. */
export function loginRoutesOf(methods: readonly LoginMethod[]): Hono<AppEnv> {
  // Like /authorize: errors are pages, or redirects once the redirect target is recorded.
  const routes = new Hono<AppEnv>().onError(onAuthorizationError);
  for (const method of methods) method.routes(routes, loginHost);
  return routes;
}

/** The routes of every login method Gatehouse has. */
export const loginRoutes = loginRoutesOf(LOGIN_METHODS);
