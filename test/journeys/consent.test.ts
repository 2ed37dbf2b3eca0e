import { describe, expect, it } from "vitest";
import {
  authorizationRequest,
  authorizeWithLogin,
  redeemCode,
  redirectParams,
  TestBrowser,
} from "../helpers/browser";
import { deployment } from "../helpers/deployment";
import { createClient, createPublicClient, createUser } from "../helpers/fixtures";
import { plain, select } from "../helpers/html";

const API = "https://api.example.com";
const REPORTS = "https://reports.example.com";

/** Expects the consent page and returns its visible text. */
async function expectConsentPage(res: Response): Promise<string> {
  expect(res.status).toBe(200);
  const page = await res.text();
  expect(page).toContain("Allow");
  expect(page).toContain("Deny");
  return page;
}

describe("journey: a consent means what it says", () => {
  it("allowing some scopes does not allow more: the app asking for more asks the user again", async () => {
    const client = await createClient();
    const user = await createUser();
    const { browser } = await authorizeWithLogin(client, user, { scope: "openid" });

    const more = await authorizationRequest(client, { scope: "openid email" });
    const page = await expectConsentPage(await browser.fetch(more.url));
    expect(page).toContain("Your email address");
    const silent = await authorizationRequest(client, { scope: "openid email", extra: { prompt: "none" } });
    const res = await browser.fetch(silent.url);
    expect(redirectParams(res, client.redirect_uri).get("error")).toBe("consent_required");
  });

  it("allowing access to one service does not allow another: a new resource asks again, and the page names it", async () => {
    const send = deployment({ RESOURCES: `${API} ${REPORTS}` });
    const client = await createClient();
    const user = await createUser();
    const browser = new TestBrowser(send);
    const first = await browser.fetch((await authorizationRequest(client, { extra: { resource: API } })).url);
    const consent = await browser.submit(await first.text(), {
      username: user.username,
      password: user.password,
    });
    const consentPage = await expectConsentPage(consent);
    expect((await select(consentPage, ".resources li")).map((li) => plain(li.text))).toEqual([API]);
    expect((await browser.submit(consentPage, { decision: "allow" })).status).toBe(303);

    // The same service again: remembered.
    const same = await browser.fetch((await authorizationRequest(client, { extra: { resource: API } })).url);
    expect(same.status).toBe(302);
    expect(redirectParams(same, client.redirect_uri).get("code")).toBeTruthy();
    // Another service: asked again, and told which.
    const other = await browser.fetch((await authorizationRequest(client, { extra: { resource: REPORTS } })).url);
    const page = await expectConsentPage(other);
    expect((await select(page, ".resources li")).map((li) => plain(li.text))).toEqual([REPORTS]);
  });

  it("an app on the user's device (public client, loopback redirect) is confirmed every time, and the page says why", async () => {
    const client = await createPublicClient({ redirect_uris: ["http://127.0.0.1/callback"] });
    const user = await createUser();
    const redirectUri = "http://127.0.0.1:53682/callback";
    const { browser } = await authorizeWithLogin(client, user, { redirectUri });

    const again = await authorizationRequest(client, { redirectUri });
    const page = await expectConsentPage(await browser.fetch(again.url));
    expect(page).toContain("cannot verify which app is asking");
    const back = await browser.submit(page, { decision: "allow" });
    const code = redirectParams(back, redirectUri).get("code") as string;
    expect((await redeemCode(client, code, again.pkce.verifier, { redirectUri })).sub).toBe(user.sub);

    // RFC 8252 §8.6: never approved silently, so prompt=none cannot be answered with a code.
    const silent = await authorizationRequest(client, { redirectUri, extra: { prompt: "none" } });
    const res = await browser.fetch(silent.url);
    expect(redirectParams(res, redirectUri).get("error")).toBe("consent_required");
  });

  it("an app on a private-use URI scheme is confirmed every time too", async () => {
    const client = await createPublicClient({ redirect_uris: ["com.example.app:/oauth/cb"] });
    const user = await createUser();
    const browser = new TestBrowser();
    const first = await authorizationRequest(client);
    const login = await browser.fetch(first.url);
    const consent = await browser.submit(await login.text(), {
      username: user.username,
      password: user.password,
    });
    const back = await browser.submit(await expectConsentPage(consent), { decision: "allow" });
    expect(back.headers.get("Location")).toMatch(/^com\.example\.app:\/oauth\/cb\?code=/);

    const again = await authorizationRequest(client);
    expect(await expectConsentPage(await browser.fetch(again.url))).toContain(
      "cannot verify which app is asking",
    );
  });

  it("a web app that is a public client with an https redirect may use the remembered consent", async () => {
    const client = await createPublicClient({ redirect_uris: ["https://spa.example/cb"] });
    const user = await createUser();
    const { browser } = await authorizeWithLogin(client, user);
    const again = await authorizationRequest(client);
    const res = await browser.fetch(again.url);
    expect(res.status).toBe(302);
    const code = redirectParams(res, client.redirect_uri).get("code") as string;
    expect((await redeemCode(client, code, again.pkce.verifier)).sub).toBe(user.sub);
  });
});
