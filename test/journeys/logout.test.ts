import { describe, expect, it } from "vitest";
import { awaitRequests, publishDocument } from "../helpers/client-web-server";
import { refresh } from "../helpers/codes";
import { createClient, createUser } from "../helpers/fixtures";
import { logoutUrl, signInForIdToken, silentAnswer } from "../helpers/logout";
import { authorizationRequest } from "../helpers/browser";

/**
 * A person signs in to two applications, then presses "Sign out" in one of them. The application
 * sends the browser to Gatehouse with the ID token it holds; Gatehouse ends the session without
 * asking, tells the other application through its back channel, and sends the browser back to
 * the application's "signed out" page with its state.
 */
describe("journey: signing out from an application", () => {
  it("ends the Gatehouse session, lands on the app with state, and the next silent check needs a login", async () => {
    const user = await createUser();
    const mail = await createClient({
      client_name: "Mail",
      redirect_uris: ["https://mail.example/callback"],
      post_logout_redirect_uris: ["https://mail.example/goodbye"],
    });
    const calendarBackchannel = `https://calendar.example/${crypto.randomUUID()}/logout`;
    await publishDocument(calendarBackchannel, null, { body: "", headers: {} });
    const calendar = await createClient({
      client_name: "Calendar",
      redirect_uris: ["https://calendar.example/callback"],
      backchannel_logout_uri: calendarBackchannel,
    });
    const { browser, idToken, tokens: mailTokens } = await signInForIdToken(mail, user);
    const { tokens: calendarTokens } = await signInForIdToken(calendar, user, browser);

    // Mail's "Sign out" link.
    const state = crypto.randomUUID();
    const back = await browser.fetch(
      logoutUrl({
        id_token_hint: idToken,
        post_logout_redirect_uri: "https://mail.example/goodbye",
        state,
      }),
    );
    expect(back.status).toBe(302);
    const landing = new URL(back.headers.get("Location") as string);
    expect(`${landing.origin}${landing.pathname}`).toBe("https://mail.example/goodbye");
    expect(landing.searchParams.get("state")).toBe(state);

    // Calendar hears of it on its back channel…
    await awaitRequests(calendarBackchannel, 1);
    // …and neither app gets a silent sign-in any more: the next visit shows the login page.
    expect(await silentAnswer(browser, mail)).toBe("login_required");
    expect(await silentAnswer(browser, calendar)).toBe("login_required");
    const next = await browser.fetch((await authorizationRequest(mail)).url);
    expect(next.status).toBe(200);
    expect(await next.text()).toContain('name="password"');

    // Neither client asked for its grants to end with the session: their refresh tokens still work.
    expect((await refresh(mail, mailTokens.refresh_token as string)).status).toBe(200);
    expect((await refresh(calendar, calendarTokens.refresh_token as string)).status).toBe(200);
  });

  it("a client that registered logout_revokes_grants loses the grants issued under the ended session", async () => {
    const user = await createUser();
    const strict = await createClient({
      post_logout_redirect_uris: ["https://rp.example/bye"],
      logout_revokes_grants: true,
    });
    const relaxed = await createClient();
    // An earlier session of the same user (another device): its grant is not this session's.
    const { tokens: elsewhere } = await signInForIdToken(strict, user);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a later auth_time
    const { browser, idToken, tokens: strictTokens } = await signInForIdToken(strict, user);
    const { tokens: relaxedTokens } = await signInForIdToken(relaxed, user, browser);

    const res = await browser.fetch(
      logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: "https://rp.example/bye" }),
    );
    expect(res.status).toBe(302);
    // Revoked before the answer: no waiting.
    expect((await refresh(strict, strictTokens.refresh_token as string)).status).toBe(400);
    expect((await refresh(strict, elsewhere.refresh_token as string)).status).toBe(200);
    expect((await refresh(relaxed, relaxedTokens.refresh_token as string)).status).toBe(200);
  });
});
