import { Hono } from "hono";
import type { Child } from "hono/jsx";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../../src/http/app-env";
import { OAuthError } from "../../src/protocol/errors";
import {
  ConsentPage,
  ErrorPage,
  LoginPage,
  LogoutConfirmPage,
  loginErrorText,
  PasswordForm,
  renderPage,
  SignedOutPage,
} from "../../src/ui/pages";
import { LANGUAGES, type Language, PAGE_ERROR_CODES } from "../../src/ui/messages";
import { select, selectOne } from "../helpers/html";

/** Values that come from the request, the client or the user, not from the messages. */
const VALUES = ["https://zq.example", "Zq Client", "Zq User", "zq.example", "Gatehouse"];

/**
 * Every page, with every optional notice shown, so that every message is rendered. Pages are
 * elements (JSX), as the render functions build them: a page component called directly would
 * read its texts before renderPage chose the language.
 */
const PAGES: Record<string, () => Child> = {
  login: () => (
    <LoginPage
      clientName="Zq Client"
      forms={PasswordForm({ request: "r", csrf: "c", action: "/authorize/login" })}
    />
  ),
  "login with a wrong password": () => (
    <LoginPage
      clientName="Zq Client"
      error={loginErrorText("invalidCredentials")}
      forms={PasswordForm({ request: "r", csrf: "c", action: "/authorize/login", errorId: "login-error" })}
    />
  ),
  "login, throttled": () => (
    <LoginPage
      clientName="Zq Client"
      error={loginErrorText("tooManyAttempts")}
      forms={PasswordForm({ request: "r", csrf: "c", action: "/authorize/login", errorId: "login-error" })}
    />
  ),
  consent: () => (
    <ConsentPage
      {...{
      clientName: "Zq Client",
      clientUri: "https://zq.example",
      redirectOrigin: "https://zq.example",
      scopes: ["openid", "profile", "email", "address", "phone", "offline_access"],
      resources: ["https://zq.example"],
      keepsAccess: true,
      confirmEveryTime: true,
      selfRegistered: true,
      clientHost: "zq.example",
      runsLocally: true,
      userName: "Zq User",
      request: "r",
      csrf: "c",
        action: "/authorize/consent",
      }}
    />
  ),
  "consent without scopes": () => (
    <ConsentPage
      clientName="Zq Client"
      redirectOrigin="https://zq.example"
      scopes={[]}
      userName="Zq User"
      request="r"
      csrf="c"
      action="/authorize/consent"
    />
  ),
  ...Object.fromEntries(
    [...PAGE_ERROR_CODES, "invalid_grant" as const].map((code) => [
      `error ${code}`,
      () => <ErrorPage error={code} description={new OAuthError(code, "The description").description} />,
    ]),
  ),
  "logout confirmation": () => (
    <LogoutConfirmPage action="/logout" csrf="c" carried={{}} clientName="Zq Client" />
  ),
  "signed out": () => <SignedOutPage />,
};

async function render(page: () => Child, language: Language): Promise<Response> {
  const app = new Hono<AppEnv>();
  app.get("/", (c) => renderPage(c, page()));
  return app.request("/", { headers: { "Accept-Language": language } });
}

/**
 * The page's texts as a reader meets them, in pieces between the request's values: text nodes
 * outside <style>, <code> (codes, scope names, URLs) and what is marked lang="en" on purpose
 * (error_description, RFC 6749 §5.2), plus the input hints a screen reader reads.
 */
async function readerTexts(page: string): Promise<string[]> {
  const nodes: string[] = [];
  let skipped = 0;
  let current = "";
  await new HTMLRewriter()
    .on("style, code, p[lang=en]", {
      element(el) {
        skipped++;
        el.onEndTag(() => void skipped--);
      },
    })
    .on("*", {
      text(chunk) {
        if (skipped === 0) current += chunk.text;
        if (chunk.lastInTextNode) {
          nodes.push(current);
          current = "";
        }
      },
    })
    .transform(new Response(page))
    .text();
  return nodes
    .flatMap((node) => VALUES.reduce((parts, value) => parts.flatMap((p) => p.split(value)), [node]))
    .map((piece) => piece.replace(/\s+/g, " ").trim())
    .filter((piece) => /\p{L}/u.test(piece));
}

describe("every page in every language", () => {
  const others = (Object.keys(LANGUAGES) as Language[]).filter((l) => l !== "en");

  for (const [name, page] of Object.entries(PAGES)) {
    it(`${name}: no English text is left in another language`, async () => {
      const english = new Set(await readerTexts(await (await render(page, "en")).text()));
      expect(english.size).toBeGreaterThan(1);
      for (const language of others) {
        const res = await render(page, language);
        const html = await res.text();
        expect((await selectOne(html, "html")).attrs.lang).toBe(language);
        expect(res.headers.get("Content-Language")).toBe(language);
        const texts = await readerTexts(html);
        expect(texts.length).toBeGreaterThanOrEqual(english.size - 1);
        expect(texts.filter((t) => english.has(t)), `${language}: English leftovers`).toEqual([]);
      }
    });
  }

  it("every page has one h1, a title, and every visible input its label", async () => {
    for (const page of Object.values(PAGES)) {
      for (const language of Object.keys(LANGUAGES) as Language[]) {
        const html = await (await render(page, language)).text();
        expect(await select(html, "h1")).toHaveLength(1);
        expect((await selectOne(html, "title")).text.trim()).not.toBe("");
        for (const input of await select(html, 'input:not([type="hidden"])')) {
          expect(await select(html, `label[for="${input.attrs.id}"]`)).toHaveLength(1);
        }
      }
    }
  });

  it("ties a failed sign-in's message to both fields (WCAG 2.2 SC 3.3.1, 1.3.1)", async () => {
    const html = await (await render(PAGES["login with a wrong password"]!, "de")).text();
    const alert = await selectOne(html, '[role="alert"]');
    for (const name of ["username", "password"]) {
      const input = await selectOne(html, `input[name="${name}"]`);
      expect(input.attrs["aria-describedby"]).toBe(alert.attrs.id);
      expect(input.attrs["aria-invalid"]).toBe("true");
    }
    const fresh = await (await render(PAGES.login!, "de")).text();
    expect((await selectOne(fresh, 'input[name="password"]')).attrs).not.toHaveProperty("aria-invalid");
  });
});
