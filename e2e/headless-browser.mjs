// A user agent without a browser: it keeps cookies, follows Gatehouse's redirects, and submits
// the server's own forms (hidden fields included) as a user without JavaScript would, until the
// authorization response leaves for the client's redirect URI. The MCP tests use it where a
// client application would open the system browser.

/** The first form of an HTML page: its action and its hidden fields. */
function parseForm(html, pageUrl) {
  const decode = (s) =>
    s
      .replaceAll("&quot;", '"')
      .replaceAll("&#39;", "'")
      .replaceAll("&lt;", "<")
      .replaceAll("&gt;", ">")
      .replaceAll("&amp;", "&");
  const form = /<form[^>]*>/.exec(html)?.[0];
  if (form === undefined) return undefined;
  const action = decode(/action="([^"]*)"/.exec(form)?.[1] ?? "");
  const hidden = {};
  for (const [tag] of html.matchAll(/<input[^>]*>/g)) {
    if (!/type="hidden"/.test(tag)) continue;
    const name = /name="([^"]*)"/.exec(tag)?.[1];
    if (name !== undefined) hidden[name] = decode(/value="([^"]*)"/.exec(tag)?.[1] ?? "");
  }
  return { action: new URL(action, pageUrl).href, hidden, html };
}

export class HeadlessBrowser {
  cookies = new Map();

  async fetch(url, init = {}) {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set("Cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair = "", ...attributes] = cookie.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === "" || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /**
   * Opens `authorizationUrl` and goes through login (as `user`) and consent (Allow) until a
   * redirect leaves for `redirectUri`; answers that URL (the authorization response) without
   * fetching it. `onConsent(html)` sees the consent page, if one is shown.
   */
  async authorize(authorizationUrl, redirectUri, user, { onConsent } = {}) {
    let url = String(authorizationUrl);
    let res = await this.fetch(url);
    for (let step = 0; step < 10; step++) {
      if (res.status >= 300 && res.status < 400) {
        const location = new URL(res.headers.get("location"), url).href;
        if (location.startsWith(redirectUri)) return new URL(location);
        url = location;
        res = await this.fetch(url);
        continue;
      }
      const html = await res.text();
      const form = res.status === 200 ? parseForm(html, url) : undefined;
      if (form === undefined) {
        throw new Error(`the authorization endpoint answered ${res.status} at ${url}: ${html.slice(0, 600)}`);
      }
      // The login form asks for the password; the consent form is answered with Allow.
      const login = /name="password"/.test(html);
      if (!login) onConsent?.(html);
      const fields = login ? { username: user.username, password: user.password } : { decision: "allow" };
      res = await this.fetch(form.action, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ ...form.hidden, ...fields }),
      });
      url = form.action;
    }
    throw new Error(`no authorization response after 10 steps (last: ${url})`);
  }
}
