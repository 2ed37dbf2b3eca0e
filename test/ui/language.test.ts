import { describe, expect, it } from "vitest";
import { negotiateLanguage } from "../../src/ui/language";
import { authorizationRequest, TestBrowser } from "../helpers/browser";
import { createClient, createUser } from "../helpers/fixtures";
import { request } from "../helpers/http";
import { plain, selectOne } from "../helpers/html";

describe("language negotiation (RFC 4647 §3.4 lookup over Accept-Language, RFC 9110 §12.5.4)", () => {
  const browser = (acceptLanguage: string | undefined) => negotiateLanguage({ acceptLanguage });

  it("is English when the browser says nothing, or asks only for languages there are no pages in", () => {
    expect(browser(undefined)).toBe("en");
    expect(browser("")).toBe("en");
    expect(browser("fr-CH, fr;q=0.9, ja;q=0.8")).toBe("en");
    expect(browser("*")).toBe("en");
    expect(browser(",,;q=;;=de, ")).toBe("en");
  });

  it("falls back from a region or script to the language (de-CH → de)", () => {
    expect(browser("de-CH")).toBe("de");
    expect(browser("DE-at")).toBe("de");
    expect(browser("de-Latn-CH-x-phonebk")).toBe("de");
    expect(browser("en-GB")).toBe("en");
    // A prefix of a subtag is not a match: "dex" is not German.
    expect(browser("dex")).toBe("en");
  });

  it("goes by q-values, not by the order of the header", () => {
    expect(browser("en;q=0.5, de;q=0.9")).toBe("de");
    expect(browser("fr-CH, fr;q=0.9, de;q=0.8, en;q=0.7")).toBe("de");
    expect(browser("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7")).toBe("en");
    expect(browser("de, en")).toBe("de");
  });

  it("never picks a language the browser marks not acceptable (q=0)", () => {
    expect(browser("de;q=0, fr")).toBe("en");
    expect(browser("de-CH;q=0")).toBe("en");
  });

  it("takes no language from the object prototype", () => {
    expect(browser("__proto__, constructor, toString")).toBe("en");
  });

  it("lets the client's ui_locales (OIDC Core §3.1.2.1) outrank the browser, in its order", () => {
    expect(negotiateLanguage({ uiLocales: "de", acceptLanguage: "en" })).toBe("de");
    expect(negotiateLanguage({ uiLocales: "fr-CA  de-CH en", acceptLanguage: "en" })).toBe("de");
    // Nothing in ui_locales that Gatehouse has: the browser's preference decides.
    expect(negotiateLanguage({ uiLocales: "fr ja", acceptLanguage: "de" })).toBe("de");
  });
});

describe("pages in the negotiated language", () => {
  async function loginPage(extra: Record<string, string> = {}, acceptLanguage?: string) {
    const client = await createClient();
    const { url } = await authorizationRequest(client, { extra });
    const browser = new TestBrowser();
    const res = await browser.fetch(url, acceptLanguage ? { headers: { "Accept-Language": acceptLanguage } } : {});
    expect(res.status).toBe(200);
    return { res, page: await res.text(), browser };
  }

  it("serve the login page in German to a Swiss German browser, and say so in the headers", async () => {
    const { res, page } = await loginPage({}, "de-CH, de;q=0.9, en;q=0.8");
    expect((await selectOne(page, "html")).attrs.lang).toBe("de");
    expect(res.headers.get("Content-Language")).toBe("de");
    expect(res.headers.get("Vary")).toMatch(/Accept-Language/i);
    expect(plain((await selectOne(page, "title")).text)).toBe("Anmelden – Gatehouse");
    expect(plain((await selectOne(page, "label[for=username]")).text)).toBe("Benutzername");
    expect(plain((await selectOne(page, 'form button[type="submit"]')).text)).toBe("Anmelden");
  });

  it("serve English to a browser asking for a language there are no pages in", async () => {
    const { res, page } = await loginPage({}, "fr-FR, fr;q=0.9");
    expect((await selectOne(page, "html")).attrs.lang).toBe("en");
    expect(res.headers.get("Content-Language")).toBe("en");
    expect(plain((await selectOne(page, 'form button[type="submit"]')).text)).toBe("Sign in");
  });

  it("keep the request's ui_locales through a failed sign-in and the consent page", async () => {
    const user = await createUser();
    const english = { "Accept-Language": "en" };
    const { page, browser } = await loginPage({ ui_locales: "de" }, "en");
    expect((await selectOne(page, "html")).attrs.lang).toBe("de");
    // The POSTs carry no ui_locales: the sealed request does.
    const retry = await browser.submit(page, { username: user.username, password: "wrong" }, english);
    expect(retry.status).toBe(400);
    const retryPage = await retry.text();
    expect(plain((await selectOne(retryPage, '[role="alert"]')).text)).toBe(
      "Benutzername oder Passwort ist falsch.",
    );
    const consent = await browser.submit(
      retryPage,
      { username: user.username, password: user.password },
      english,
    );
    expect(consent.status).toBe(200);
    const consentPage = await consent.text();
    expect(consent.headers.get("Content-Language")).toBe("de");
    expect(plain((await selectOne(consentPage, 'button[value="allow"]')).text)).toBe("Erlauben");
    expect(plain((await selectOne(consentPage, 'button[value="deny"]')).text)).toBe("Ablehnen");
  });

  it("keep ui_locales for a refused request waiting for sign-in (RFC 9700 §4.11.2)", async () => {
    const user = await createUser();
    const english = { "Accept-Language": "en" };
    // A scope the client may not ask for: the error goes back only after sign-in.
    const { page, browser } = await loginPage({ ui_locales: "de", scope: "openid not-allowed" }, "en");
    expect((await selectOne(page, "html")).attrs.lang).toBe("de");
    const retry = await browser.submit(page, { username: user.username, password: "wrong" }, english);
    expect(retry.status).toBe(400);
    expect(retry.headers.get("Content-Language")).toBe("de");
    const back = await browser.submit(await retry.text(), { username: user.username, password: user.password }, english);
    expect(back.status).toBe(303);
    expect(new URL(back.headers.get("Location") ?? "").searchParams.get("error")).toBe("invalid_scope");
  });

  it("show the error page's summary in German, the error code and description as they are", async () => {
    const res = await request(
      `/authorize?response_type=code&client_id=unknown-${crypto.randomUUID()}&redirect_uri=https%3A%2F%2Fevil.example%2Fcb`,
      { headers: { Accept: "text/html", "Accept-Language": "de" } },
    );
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.headers.get("Content-Language")).toBe("de");
    const page = await res.text();
    expect(plain((await selectOne(page, "h1")).text)).toBe(
      "Die Anwendung, die Sie hierher geschickt hat, ist nicht bekannt.",
    );
    // error_description is for developers and stays English (RFC 6749 §5.2), marked as such.
    const description = await selectOne(page, '[role="alert"]');
    expect(description.attrs.lang).toBe("en");
    expect(plain((await selectOne(page, "code")).text)).toBe("invalid_client");
  });

  it("are advertised in the discovery document (OIDC Discovery §3 ui_locales_supported)", async () => {
    const meta = await (await request("/.well-known/openid-configuration")).json<{ ui_locales_supported: string[] }>();
    expect(meta.ui_locales_supported).toEqual(["en", "de"]);
  });
});
