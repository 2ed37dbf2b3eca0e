/**
 * The password login method: its form, its route and its throttle (./throttle.ts, with the
 * device cookie of ./device-cookie.ts). The URL and the field names `username` and `password`
 * are the contract of DESIGN.md "Browser pages".
 */
import { limitBody } from "../../http/body-limit";
import { OAuthError } from "../../protocol/errors";
import { PasswordForm } from "../../ui/login-page";
import { completeLogin } from "../complete-login";
import type { LoginMethod } from "../method";
import { deviceFor, rememberDevice } from "./device-cookie";
import { assertLoginAllowed, type LoginPermit, recordLoginResult } from "./throttle";
import { authenticatePassword } from "./verify";

/** The form's POST target. It answers with 303 (RFC 9700 §4.12). */
export const PASSWORD_ACTION = "/authorize/login";

export const passwordMethod: LoginMethod = {
  id: "password",
  // RFC 8176 §2: "pwd", password-based authentication.
  amr: ["pwd"],

  renderForm: (form) => PasswordForm({ ...form, action: PASSWORD_ACTION }),

  routes(app, host) {
    app.post(PASSWORD_ACTION, limitBody(), async (c) => {
      const pending = await host.open(c, passwordMethod);
      const username = (pending.form.get("username") ?? "").slice(0, 256);
      const password = (pending.form.get("password") ?? "").slice(0, 1024);
      const ip = c.req.header("CF-Connecting-IP");
      const device = await deviceFor(c, username);
      let permit: LoginPermit;
      try {
        permit = await assertLoginAllowed(c.get("stores"), { username, ip, device });
      } catch (err) {
        if (err instanceof OAuthError && err.status === 429) {
          return pending.retry({
            error: "tooManyAttempts",
            status: 429,
            username,
            headers: { ...err.headers },
          });
        }
        throw err;
      }
      const user = await authenticatePassword(c.get("stores"), username, password);
      await recordLoginResult(c.get("stores"), permit, user?.sub ?? null);
      if (!user) {
        return pending.retry({
          error: "invalidCredentials",
          // 400, not 401: a form, not an HTTP authentication scheme (RFC 9110 §15.5.2).
          status: 400,
          username,
        });
      }
      await rememberDevice(c, username);
      return completeLogin(c, pending, { user, amr: passwordMethod.amr });
    });
  },
};
