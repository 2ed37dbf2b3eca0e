import { Hono } from "hono";
import type { LoginHost, LoginMethod } from "../auth/method";
import { LOGIN_METHODS, loginMethodsOf } from "../auth/methods";
import type { AppEnv } from "../http/app-env";
import { OAuthError } from "../protocol/errors";
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
      throw new OAuthError("not_found", "No such endpoint", { status: 404 });
    }
    const { form, ticket } = await readInteraction(c);
    const { request } = ticket;
    const { client } = await reloadRedirectTarget(c.env, request);
    return {
      form,
      retry: (failure) => showLoginPage(c, client, request, failure),
      async resume(session, user) {
        // RFC 9700 §4.11.2: the error held back until sign-in now goes to the client.
        if (isRefused(request)) throw refusalAfterSignIn(request, 303);
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
  const routes = new Hono<AppEnv>();
  for (const method of methods) method.routes(routes, loginHost);
  return routes;
}

/** The routes of every login method Gatehouse has. */
export const loginRoutes = loginRoutesOf(LOGIN_METHODS);
