/**
 * The local demo driven as its visitor would: the landing page's button, the link to Gatehouse,
 * Gatehouse's own login and consent pages, the callback, and the demo's step buttons.
 */
import { expect } from "vitest";
import { TestBrowser, parseForm } from "./browser";

const decode = (s: string) => s.replaceAll("&amp;", "&");

export interface DemoCredentials {
  username: string;
  password: string;
}

/** The demo user's username and password, as the landing page shows them. */
export function shownCredentials(landing: string): DemoCredentials {
  const shown = (label: string) =>
    new RegExp(`${label}</th><td><code>([^<]+)</code>`).exec(landing)?.[1];
  const username = shown("Username");
  const password = shown("Password");
  if (username === undefined || password === undefined) {
    throw new Error(`no demo credentials on the landing page:\n${landing}`);
  }
  return { username, password };
}

/**
 * Opens `/`, reads the demo user's credentials and presses "Try the demo": the step-1 page, the
 * authorization URL it links to, and the credentials.
 */
export async function startDemo(
  browser: TestBrowser,
): Promise<{ page: string; authorizeUrl: URL; credentials: DemoCredentials }> {
  const landing = await browser.fetch("/");
  expect(landing.status).toBe(200);
  const landingPage = await landing.text();
  const credentials = shownCredentials(landingPage);
  const start = await browser.submit(landingPage, {});
  expect(start.status).toBe(200);
  const page = await start.text();
  const href = /<a class="button" href="([^"]+)"/.exec(page)?.[1];
  expect(href, "the step-1 page links to /authorize").toBeTruthy();
  return { page, authorizeUrl: new URL(decode(href as string)), credentials };
}

/**
 * Follows the link to Gatehouse, signs in as the demo user and answers the consent page:
 * the authorization response's URL (Gatehouse's 303 to the demo's callback), not yet fetched.
 */
export async function answerAuthorization(
  browser: TestBrowser,
  started: { authorizeUrl: URL; credentials: DemoCredentials },
  decision: "allow" | "deny",
): Promise<URL> {
  const { authorizeUrl, credentials } = started;
  const login = await browser.fetch(`${authorizeUrl.pathname}${authorizeUrl.search}`);
  expect(login.status).toBe(200);
  const consent = await browser.submit(await login.text(), { ...credentials });
  expect(consent.status).toBe(200);
  const consentPage = await consent.text();
  expect(consentPage).toContain("Gatehouse demo app");
  const answer = await browser.submit(consentPage, { decision });
  expect(answer.status).toBe(303);
  return new URL(answer.headers.get("Location") as string);
}

/** Fetches a URL of the demo (the callback) in `browser`: status and page. */
export async function visit(browser: TestBrowser, url: URL): Promise<{ status: number; page: string }> {
  const res = await browser.fetch(`${url.pathname}${url.search}`);
  return { status: res.status, page: await res.text() };
}

/** Presses the page's step button (its one form): status and the next page. */
export async function pressStep(
  browser: TestBrowser,
  page: string,
  expectedAction: string,
): Promise<{ status: number; page: string }> {
  expect(parseForm(page).action).toBe(expectedAction);
  const res = await browser.submit(page, {});
  return { status: res.status, page: await res.text() };
}

/** The text of an HTML page without tags, entities decoded: what a reader sees. */
export function visibleText(page: string): string {
  return page
    .replace(/<[^>]*>/g, "")
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}
