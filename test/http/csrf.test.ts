import { describe, expect, it } from "vitest";
import { authorizationRequest, parseForm, TestBrowser } from "../helpers/browser";
import { createClient, createUser } from "../helpers/fixtures";

/**
 * CSRF defence of the login and consent forms (src/http/csrf.ts): the form's token, the
 * browser's cookie and the sealed pending request must agree, and fetch metadata or Origin must
 * not name another site.
 */
describe("CSRF on the login and consent forms", () => {
  async function loginPage(browser: TestBrowser) {
    const client = await createClient();
    const user = await createUser();
    const { url } = await authorizationRequest(client);
    return { page: await (await browser.fetch(url)).text(), user, client };
  }

  it("refuses a login POST without the csrf field", async () => {
    const browser = new TestBrowser();
    const { page, user } = await loginPage(browser);
    const { hidden } = parseForm(page);
    const res = await browser.fetch("/authorize/login", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ request: hidden.request as string, username: user.username, password: user.password }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("Location")).toBeNull();
  });

  it("refuses a login POST from a browser without the CSRF cookie", async () => {
    const { page, user } = await loginPage(new TestBrowser());
    const res = await new TestBrowser().submit(page, { username: user.username, password: user.password });
    expect(res.status).toBe(403);
  });

  it("refuses a form lifted from another browser, even with the victim's own cookie", async () => {
    const attacker = new TestBrowser();
    const { page, user } = await loginPage(attacker);
    const victim = new TestBrowser();
    // The victim has a CSRF cookie of its own, and the forged form even carries it: only the
    // sealed ticket, bound to the attacker's cookie, gives the forgery away.
    const victimToken = parseForm((await loginPage(victim)).page).hidden.csrf as string;
    const res = await victim.submit(page, {
      csrf: victimToken,
      username: user.username,
      password: user.password,
    });
    expect(res.status).toBe(403);
  });

  it.each([
    ["Sec-Fetch-Site: cross-site", { "Sec-Fetch-Site": "cross-site" }],
    ["a foreign Origin", { Origin: "https://evil.example" }],
  ])("refuses a form POST with %s, even with the right tokens", async (_why, headers) => {
    const browser = new TestBrowser();
    const { page, user } = await loginPage(browser);
    const res = await browser.submit(page, { username: user.username, password: user.password }, headers);
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie().some((c) => c.includes("session"))).toBe(false);
  });

  it("accepts a form whose cookie another tab replaced only when the browser marks the POST same-origin", async () => {
    const browser = new TestBrowser();
    const client = await createClient();
    const user = await createUser();
    const { url } = await authorizationRequest(client);
    // Two pages loaded at once by a browser without the cookie: the second token replaces the first.
    const pages = await Promise.all([
      browser.fetch(url).then((r) => r.text()),
      browser.fetch(url).then((r) => r.text()),
    ]);
    const cookie = browser.cookies.get("gatehouse-csrf");
    const stale = pages.find((p) => parseForm(p).hidden.csrf !== cookie) as string;
    expect(stale).toBeDefined();
    const credentials = { username: user.username, password: user.password };
    for (const site of ["same-site", "none"]) {
      const res = await browser.submit(stale, credentials, { "Sec-Fetch-Site": site });
      expect(res.status, site).toBe(403);
    }
    expect((await browser.submit(stale, credentials)).status).toBe(403); // no Fetch Metadata
    const res = await browser.submit(stale, credentials, { "Sec-Fetch-Site": "same-origin" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Allow");
  });

  it("accepts Origin: null (Chromium with Referrer-Policy no-referrer)", async () => {
    const browser = new TestBrowser();
    const { page, user } = await loginPage(browser);
    const res = await browser.submit(
      page,
      { username: user.username, password: user.password },
      { Origin: "null", "Sec-Fetch-Site": "same-origin" },
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Allow");
  });

  it("refuses a consent POST without the csrf field and issues no code", async () => {
    const browser = new TestBrowser();
    const { page, user } = await loginPage(browser);
    const consent = await (await browser.submit(page, { username: user.username, password: user.password })).text();
    const { hidden } = parseForm(consent);
    const res = await browser.fetch("/authorize/consent", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ request: hidden.request as string, decision: "allow" }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("Location")).toBeNull();
  });

  it("refuses a consent page shown to another user", async () => {
    const browser = new TestBrowser();
    const { page, user, client } = await loginPage(browser);
    const consent = await (await browser.submit(page, { username: user.username, password: user.password })).text();
    // Someone else signs in in the same browser before the first consent is posted.
    const other = await createUser();
    const { url } = await authorizationRequest(client, { extra: { prompt: "login" } });
    const login2 = await (await browser.fetch(url)).text();
    await browser.submit(login2, { username: other.username, password: other.password });
    const res = await browser.submit(consent, { decision: "allow" });
    expect(res.status).toBe(403);
    expect(res.headers.get("Location")).toBeNull();
  });
});
