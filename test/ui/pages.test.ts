import { Hono, type Context } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../../src/http/app-env";
import { OAuthError } from "../../src/protocol/errors";
import {
  describeScopes,
  renderConsentPage,
  renderErrorPage,
  PasswordForm,
  renderLoginPage,
  type ConsentPageProps,
  type PasswordFormProps,
} from "../../src/ui/pages";
import { plain, select, selectOne } from "../helpers/html";

/** Renders through a bare Hono app: the page functions alone, without the Gatehouse app. */
async function render(handler: (c: Context<AppEnv>) => Promise<Response>): Promise<Response> {
  const app = new Hono<AppEnv>();
  app.get("/", handler);
  return app.request("/");
}

const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)>`;

/** The login page with the password form alone (the default LOGIN_METHODS). */
type LoginFixture = PasswordFormProps & { clientName: string; error?: string };

const login = (overrides: Partial<LoginFixture> = {}): LoginFixture => ({
  clientName: "Example App",
  request: "sealed-request-value",
  csrf: "csrf-token-value",
  action: "/authorize/login",
  ...overrides,
});

const consent = (overrides: Partial<ConsentPageProps> = {}): ConsentPageProps => ({
  clientName: "Example App",
  redirectOrigin: "https://rp.example",
  scopes: ["openid", "profile", "email", "payments:write"],
  userName: "Alice Example",
  request: "sealed-request-value",
  csrf: "csrf-token-value",
  action: "/authorize/consent",
  ...overrides,
});

async function loginHtml(overrides: Partial<LoginFixture> = {}) {
  const { clientName, error, ...form } = login(overrides);
  const page = { clientName, ...(error === undefined ? {} : { error }), forms: PasswordForm(form) };
  return (await render((c) => renderLoginPage(c, page))).text();
}

async function consentHtml(overrides: Partial<ConsentPageProps> = {}) {
  return (await render((c) => renderConsentPage(c, consent(overrides)))).text();
}

describe("every page", () => {
  it("is a complete, accessible document without any script", async () => {
    for (const page of [await loginHtml(), await consentHtml()]) {
      expect(page.startsWith("<!doctype html>")).toBe(true);
      expect((await selectOne(page, "html")).attrs.lang).toBe("en");
      expect((await selectOne(page, 'meta[name="viewport"]')).attrs.content).toContain(
        "width=device-width",
      );
      expect((await selectOne(page, "title")).text).toContain("Gatehouse");
      expect(await select(page, "script")).toEqual([]);
      // Nothing is loaded from anywhere: no external stylesheets, scripts, images or frames.
      expect(await select(page, "link, img, iframe, [src]")).toEqual([]);
    }
  });

  it("labels every visible input", async () => {
    const page = await loginHtml();
    for (const input of await select(page, 'input:not([type="hidden"])')) {
      const labels = await select(page, `label[for="${input.attrs.id}"]`);
      expect(labels, `label for ${input.attrs.name}`).toHaveLength(1);
    }
  });
});

describe("login page", () => {
  it("has the contract's form: username, password, hidden request and csrf, a Sign in button", async () => {
    const page = await loginHtml();
    expect(plain((await selectOne(page, "h1")).text)).toBe("Sign in to continue to Example App");
    const form = await selectOne(page, "form");
    expect(form.attrs.method).toBe("post");
    expect(form.attrs.action).toBe("/authorize/login");
    expect((await selectOne(page, 'input[name="request"]')).attrs).toMatchObject({
      type: "hidden",
      value: "sealed-request-value",
    });
    expect((await selectOne(page, 'input[name="csrf"]')).attrs).toMatchObject({
      type: "hidden",
      value: "csrf-token-value",
    });
    const username = await selectOne(page, 'input[name="username"]');
    expect(username.attrs.autocomplete).toBe("username");
    expect(username.attrs).toHaveProperty("required");
    const password = await selectOne(page, 'input[name="password"]');
    expect(password.attrs).toMatchObject({ type: "password", autocomplete: "current-password" });
    expect(password.attrs).toHaveProperty("required");
    const button = await selectOne(page, 'form button[type="submit"]');
    expect(plain(button.text)).toBe("Sign in");
  });

  it("shows an error with role=alert only when there is one", async () => {
    expect(await select(await loginHtml(), '[role="alert"]')).toEqual([]);
    const page = await loginHtml({ error: "Invalid username or password", username: "alice" });
    expect(plain((await selectOne(page, '[role="alert"]')).text)).toBe("Invalid username or password");
    expect((await selectOne(page, 'input[name="username"]')).attrs.value).toBe("alice");
  });

  it("escapes a hostile client name, username and hidden values", async () => {
    const page = await loginHtml({
      clientName: HOSTILE,
      username: `"><script>alert(2)</script>`,
      request: `"><script>alert(3)</script>`,
      error: HOSTILE,
    });
    expect(await select(page, "script, img")).toEqual([]);
    expect(plain((await selectOne(page, "h1")).text)).toBe(`Sign in to continue to ${HOSTILE}`);
    expect(plain((await selectOne(page, 'input[name="username"]')).attrs.value ?? "")).toBe(
      `"><script>alert(2)</script>`,
    );
  });
});

describe("consent page", () => {
  it("has Allow and Deny buttons named decision, and the hidden request and csrf", async () => {
    const page = await consentHtml();
    const form = await selectOne(page, "form");
    expect(form.attrs).toMatchObject({ method: "post", action: "/authorize/consent" });
    const buttons = await select(page, "form button");
    expect(buttons.map((b) => [plain(b.text), b.attrs.type, b.attrs.name, b.attrs.value]).sort()).toEqual([
      ["Allow", "submit", "decision", "allow"],
      ["Deny", "submit", "decision", "deny"],
    ]);
    expect((await selectOne(page, 'input[name="request"]')).attrs.value).toBe("sealed-request-value");
    expect((await selectOne(page, 'input[name="csrf"]')).attrs.value).toBe("csrf-token-value");
  });

  it("names the client, the user, each scope in plain words, and where the browser goes", async () => {
    const text = plain((await selectOne(await consentHtml(), "main")).text);
    expect(text).toContain("Example App");
    expect(text).toContain("Alice Example");
    expect(text).toContain("https://rp.example");
    const items = (await select(await consentHtml(), "ul.scopes li")).map((li) => plain(li.text));
    expect(items).toEqual([
      "Confirm your identity (openid)",
      "Your name (profile)",
      "Your email address (email)",
      "payments:write",
    ]);
  });

  it("lists the resources the tokens will be for (RFC 8707), and none when there are none", async () => {
    const page = await consentHtml({ resources: ["https://api.example.com", "https://reports.example.com"] });
    const items = (await select(page, "ul.resources li")).map((li) => plain(li.text));
    expect(items).toEqual(["https://api.example.com", "https://reports.example.com"]);
    expect(await select(await consentHtml(), "ul.resources")).toEqual([]);
  });

  it("says when the application registered itself and nobody checked its claims", async () => {
    const note = plain((await selectOne(await consentHtml({ selfRegistered: true }), "#self-registered")).text);
    expect(note).toContain("registered itself");
    expect(await select(await consentHtml(), "#self-registered")).toEqual([]);
  });

  it("says why an app that cannot prove its identity is asked every time (RFC 8252 §8.6)", async () => {
    const note = plain((await selectOne(await consentHtml({ confirmEveryTime: true }), "#confirm-every-time")).text);
    expect(note).toContain("cannot verify which app is asking");
    expect(note).toContain("Example App");
    expect(await select(await consentHtml(), "#confirm-every-time")).toEqual([]);
  });

  it("says when allowing lets the application keep access while the user is away (OIDC Core §11)", async () => {
    const note = await selectOne(await consentHtml({ keepsAccess: true }), "#keeps-access");
    expect(note.attrs.role).toBe("note");
    expect(plain(note.text)).toBe(
      "Example App will keep this access while you are not using it, until the access expires or is revoked.",
    );
    expect(await select(await consentHtml(), "#keeps-access")).toEqual([]);
    expect(await select(await consentHtml({ keepsAccess: false }), "#keeps-access")).toEqual([]);
  });

  it("escapes a hostile client name, user name and scope", async () => {
    const page = await consentHtml({
      clientName: HOSTILE,
      userName: HOSTILE,
      clientUri: HOSTILE,
      scopes: [HOSTILE],
      resources: [HOSTILE],
    });
    expect(await select(page, "script, img")).toEqual([]);
    expect(plain((await selectOne(page, "h1")).text)).toBe(`${HOSTILE} wants to access your account`);
  });
});

describe("scope descriptions", () => {
  it("describes the standard scopes and shows an unknown scope by its name", () => {
    expect(describeScopes(["openid", "profile", "email", "custom", "openid"])).toEqual([
      { scope: "openid", description: "Confirm your identity" },
      { scope: "profile", description: "Your name" },
      { scope: "email", description: "Your email address" },
      { scope: "custom", description: "custom" },
    ]);
  });

  it("does not take descriptions from the object prototype", () => {
    expect(describeScopes(["constructor", "__proto__"]).map((s) => s.description)).toEqual([
      "constructor",
      "__proto__",
    ]);
  });
});

describe("error page", () => {
  it("states the code and description, with the error's status and headers", async () => {
    const err = new OAuthError("temporarily_unavailable", "Too many failed sign-in attempts", {
      status: 429,
      headers: { "Retry-After": "30" },
    });
    const res = await render(async (c) => renderErrorPage(c, err));
    expect(res.status).toBe(429);
    expect(res.headers.get("Retry-After")).toBe("30");
    const text = plain((await selectOne(await res.text(), "main")).text);
    expect(text).toContain("temporarily_unavailable");
    expect(text).toContain("Too many failed sign-in attempts");
  });

  it("has no link or form that could lead back to the client", async () => {
    const err = new OAuthError("invalid_request", `Unknown redirect_uri https://evil.example/cb`);
    const page = await (await render(async (c) => renderErrorPage(c, err))).text();
    expect(await select(page, "a, form, [href], [action]")).toEqual([]);
    expect(await select(page, "meta[http-equiv]")).toEqual([]);
  });

  it("escapes the description", async () => {
    const err = new OAuthError("invalid_request", HOSTILE);
    const page = await (await render(async (c) => renderErrorPage(c, err))).text();
    expect(await select(page, "script, img")).toEqual([]);
    // The page shows the description as OAuthError keeps it (RFC 6749's character set: quotes
    // become apostrophes), as text: the markup in it is not markup on the page.
    expect(plain((await selectOne(page, '[role="alert"]')).text)).toBe(err.description);
    expect(err.description).toContain("<script>");
  });
});
