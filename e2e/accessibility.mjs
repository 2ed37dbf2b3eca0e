// Accessibility and layout of every page, in English and German, in Chromium: axe-core
// (https://github.com/dequelabs/axe-core) finds no violation on the login page, the login page
// after a wrong password, the consent page, the error page and both logout pages; the keyboard
// reaches the login form's fields in order with a visible focus ring; and from 320 px wide
// phones to a desktop nothing scrolls sideways and every button is at least 44 px tall
// (WCAG 2.2 SC 1.4.10 Reflow, 2.5.5 Target Size).
//
// axe is injected as a script, which the pages' CSP (default-src 'none', no script) refuses:
// these tests alone use a browser context with bypassCSP.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { authorizeUrl } from "./oauth.mjs";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const LANGUAGES = [
  { tag: "en", locale: "en-US" },
  { tag: "de", locale: "de-DE" },
];

/** A fresh context of the runner's browser: CSP bypassed (for axe), in `locale`, at `viewport`. */
async function openPage(page, { locale, viewport = { width: 1280, height: 800 } }) {
  const context = await page.context().browser().newContext({
    bypassCSP: true,
    locale,
    viewport,
    extraHTTPHeaders: { "Accept-Language": locale },
  });
  context.setDefaultTimeout(15_000);
  return { context, tab: await context.newPage() };
}

/** Runs axe on the page; fails with each violation's rule, impact and first elements. */
async function assertNoViolations(tab, what) {
  await tab.addScriptTag({ content: AXE });
  const { violations } = await tab.evaluate(() => globalThis.axe.run(document));
  const report = violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`,
  );
  assert.deepEqual(report, [], `axe on ${what}`);
}

/** The document's language and the page's layout at the current viewport. */
async function assertLayout(tab, what, tag) {
  const layout = await tab.evaluate(() => ({
    lang: document.documentElement.lang,
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    buttons: [...document.querySelectorAll("button")].map((b) => b.getBoundingClientRect().height),
  }));
  assert.equal(layout.lang, tag, `${what}: <html lang>`);
  assert.ok(
    layout.scrollWidth <= layout.innerWidth,
    `${what}: no horizontal scroll (scrollWidth ${layout.scrollWidth} > ${layout.innerWidth})`,
  );
  for (const height of layout.buttons) {
    assert.ok(height >= 44, `${what}: buttons at least 44 px tall (one is ${height})`);
  }
}

/** Submits the page's form with its submit button `selector`, and waits for the next page. */
async function submit(tab, selector) {
  await Promise.all([
    tab.waitForResponse((r) => r.request().method() === "POST" && r.request().isNavigationRequest()),
    tab.locator(selector).click(),
  ]);
  await tab.waitForLoadState();
}

/**
 * Every page in turn for a fresh user: `check(tab, name)` runs on each. Returns when the user has
 * signed out.
 */
async function visitEveryPage(t, tab, check) {
  const user = await t.newUser();
  const request = authorizeUrl(t.base, t.client);
  assert.equal((await tab.goto(request.url)).status(), 200);
  await check(tab, "login page");

  await tab.locator('input[name="username"]').fill(user.username);
  await tab.locator('input[name="password"]').fill(`${user.password}-wrong`);
  await submit(tab, 'form button[type="submit"]');
  await tab.locator('[role="alert"]').waitFor();
  await check(tab, "login page with an error");

  await tab.locator('input[name="password"]').fill(user.password);
  await submit(tab, 'form button[type="submit"]');
  await tab.locator('button[value="allow"]').waitFor();
  await check(tab, "consent page");

  const unknown = new URL("/authorize", t.base);
  unknown.search = new URLSearchParams({
    response_type: "code",
    client_id: `unknown-${Date.now()}`,
    redirect_uri: "https://evil.example/cb",
  }).toString();
  assert.ok((await tab.goto(unknown.href)).status() >= 400);
  await check(tab, "error page");

  assert.equal((await tab.goto(new URL("/logout", t.base).href)).status(), 200);
  await tab.locator('button[name="logout"]').waitFor();
  await check(tab, "logout confirmation page");
  await submit(tab, 'button[name="logout"]');
  await check(tab, "signed-out page");
}

export const tests = [
  ...LANGUAGES.map(({ tag, locale }) => ({
    name: `accessibility (${tag}): axe finds no violation on the login, error, consent and logout pages`,
    timeoutMs: 90_000,
    async run(t, page) {
      const { context, tab } = await openPage(page, { locale });
      try {
        await visitEveryPage(t, tab, async (tab, what) => {
          assert.equal(await tab.evaluate(() => document.documentElement.lang), tag, `${what}: <html lang>`);
          await assertNoViolations(tab, `the ${what} (${tag})`);
        });
      } finally {
        await context.close();
      }
    },
  })),
  {
    name: "accessibility: the keyboard reaches username, password and Sign in in order, with a visible focus ring",
    async run(t, page) {
      const { context, tab } = await openPage(page, { locale: "en-US" });
      try {
        await tab.goto(authorizeUrl(t.base, t.client).url);
        // From the username field (autofocus), Tab moves on in the order a reader meets the form.
        await tab.locator('input[name="username"]').focus();
        const focused = [await tab.evaluate(() => document.activeElement?.getAttribute("name"))];
        for (let i = 0; i < 2; i++) {
          await tab.keyboard.press("Tab");
          focused.push(await tab.evaluate(() => document.activeElement?.getAttribute("name") ?? document.activeElement?.textContent?.trim()));
        }
        assert.deepEqual(focused, ["username", "password", "Sign in"]);
        const ring = await tab.evaluate(() => {
          const style = getComputedStyle(document.activeElement);
          return { style: style.outlineStyle, width: Number.parseFloat(style.outlineWidth) };
        });
        assert.notEqual(ring.style, "none", "a focus outline");
        assert.ok(ring.width >= 2, `a focus outline at least 2 px wide (${ring.width})`);
      } finally {
        await context.close();
      }
    },
  },
  ...[
    { width: 320, height: 640 },
    { width: 375, height: 667 },
    { width: 1280, height: 800 },
  ].map((viewport) => ({
    name: `responsive (${viewport.width} px): no page scrolls sideways, every button is at least 44 px tall`,
    timeoutMs: 90_000,
    async run(t, page) {
      for (const { tag, locale } of LANGUAGES) {
        const { context, tab } = await openPage(page, { locale, viewport });
        try {
          await visitEveryPage(t, tab, async (tab, what) => {
            await assertLayout(tab, `the ${what} (${tag}, ${viewport.width} px)`, tag);
            if (viewport.width === 320 && tag === "de") {
              const file = `${what.replaceAll(" ", "-")}-320-de.png`;
              await tab.screenshot({ path: join(t.screenshots, file), fullPage: true });
            }
          });
        } finally {
          await context.close();
        }
      }
    },
  })),
];
