import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError, getConfig } from "../../src/config";
import { contrastRatio, textColorOn } from "../../src/ui/contrast";
import { accentStylesheet } from "../../src/ui/styles";
import { authorizationRequest } from "../helpers/browser";
import { deployment } from "../helpers/deployment";
import { sha256Base64 } from "../helpers/digest";
import { createClient } from "../helpers/fixtures";
import { plain, select, selectOne } from "../helpers/html";

afterEach(() => {
  vi.restoreAllMocks();
});

/** The directives of a page's Content-Security-Policy, by name. */
function csp(res: Response): Map<string, string[]> {
  return new Map(
    (res.headers.get("Content-Security-Policy") ?? "").split(";").map((d) => {
      const [name = "", ...sources] = d.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

/** The login page of a deployment configured with `settings`. */
async function brandedLoginPage(settings: Partial<Env>) {
  const client = await createClient();
  const { url } = await authorizationRequest(client);
  const res = await deployment(settings)(url);
  expect(res.status).toBe(200);
  return { res, page: await res.text() };
}

const LOGO = "https://static.acme.example/brand/logo.svg";

describe("the brand (BRAND_NAME, BRAND_LOGO_URL, BRAND_COLOR)", () => {
  it("names the product in the title and the header, in place of Gatehouse", async () => {
    const { page } = await brandedLoginPage({ BRAND_NAME: "Acme Login" });
    expect(plain((await selectOne(page, "title")).text)).toBe("Sign in – Acme Login");
    expect(plain((await selectOne(page, ".brand")).text)).toBe("Acme Login");
    expect(page).not.toContain("Gatehouse");
  });

  it("names it on the logout page too, in the page's language", async () => {
    const res = await deployment({ BRAND_NAME: "Acme Login" })("/logout", {
      headers: { "Accept-Language": "de" },
    });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(plain((await selectOne(page, "title")).text)).toBe("Abgemeldet – Acme Login");
  });

  it("shows an https logo, and allows exactly its origin in img-src", async () => {
    const { res, page } = await brandedLoginPage({ BRAND_NAME: "Acme", BRAND_LOGO_URL: LOGO });
    const img = await selectOne(page, ".brand img");
    expect(img.attrs.src).toBe(LOGO);
    // Decorative: the brand's name follows it as text.
    expect(img.attrs.alt).toBe("");
    expect(csp(res).get("img-src")).toEqual(["'self'", "https://static.acme.example"]);
    expect(csp(res).get("default-src")).toEqual(["'none'"]);
  });

  it("shows an inline data: logo, allowing data: images and no origin", async () => {
    const logo = "data:image/png;base64,iVBORw0KGgo=";
    const { res, page } = await brandedLoginPage({ BRAND_LOGO_URL: logo });
    expect((await selectOne(page, ".brand img")).attrs.src).toBe(logo);
    expect(csp(res).get("img-src")).toEqual(["'self'", "data:"]);
  });

  it("shows no image and allows no other image source without a logo", async () => {
    const { res, page } = await brandedLoginPage({});
    expect(await select(page, "img")).toEqual([]);
    expect(csp(res).get("img-src")).toEqual(["'self'"]);
  });

  it("puts the accent colour in the stylesheet, whose served bytes still match the CSP hash", async () => {
    const { res, page } = await brandedLoginPage({ BRAND_COLOR: "#FC0" });
    const style = (await selectOne(page, "style")).text;
    expect(style).toContain("--accent: #ffcc00; --accent-fg: #000000;");
    expect(csp(res).get("style-src")).toEqual([`'sha256-${await sha256Base64(style)}'`]);
    const plainStyle = (await selectOne((await brandedLoginPage({})).page, "style")).text;
    expect(plainStyle).not.toContain("#ffcc00");
    expect(plainStyle).not.toBe(style);
  });
});

describe("the accent colour's contrast (WCAG 2.x SC 1.4.3, 1.4.11)", () => {
  const hexColor = fc
    .tuple(fc.nat(255), fc.nat(255), fc.nat(255))
    .map((rgb) => `#${rgb.map((c) => c.toString(16).padStart(2, "0")).join("")}`);

  it("computes the ratios WCAG gives for black, white and the default blue", () => {
    expect(contrastRatio("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrastRatio("#777777", "#777777")).toBe(1);
    expect(contrastRatio("#1a56db", "#ffffff")).toBeGreaterThan(4.5);
  });

  it("gives every accent colour button text of at least 4.5:1", () => {
    fc.assert(
      fc.property(hexColor, (color) => contrastRatio(color, textColorOn(color)) >= 4.5),
      { numRuns: 2000 },
    );
    expect(textColorOn("#ffcc00")).toBe("#000000");
    expect(textColorOn("#0f766e")).toBe("#ffffff");
  });

  it("draws the focus ring in the text colour where the accent would not stand out on the card", () => {
    // Yellow: invisible on the light card, fine on the dark one.
    const [light, dark] = accentStylesheet("#ffee00").split("\n");
    expect(light).toContain("--focus: var(--fg);");
    expect(dark).toContain("--focus: #ffee00;");
    const [navyLight, navyDark] = accentStylesheet("#102040").split("\n");
    expect(navyLight).toContain("--focus: #102040;");
    expect(navyDark).toContain("--focus: var(--fg);");
  });
});

describe("brand configuration", () => {
  const base = {} as Env;
  const refused = (settings: Partial<Env>, variable: string) => {
    let error: unknown;
    try {
      getConfig({ ...base, ...settings });
    } catch (err) {
      error = err;
    }
    expect(error, JSON.stringify(settings)).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(variable);
  };

  it("defaults to Gatehouse, no logo and the built-in colour", () => {
    expect(getConfig({ ...base }).brand).toEqual({ name: "Gatehouse", logoUrl: undefined, color: undefined });
    expect(getConfig({ ...base, BRAND_NAME: "  ", BRAND_COLOR: "" }).brand.name).toBe("Gatehouse");
  });

  it("takes a name, an https or data: logo and a #rgb or #rrggbb colour", () => {
    const brand = getConfig({ ...base, BRAND_NAME: " Acme Login ", BRAND_LOGO_URL: LOGO, BRAND_COLOR: "#0F766E" }).brand;
    expect(brand).toEqual({ name: "Acme Login", logoUrl: LOGO, color: "#0f766e" });
    expect(getConfig({ ...base, BRAND_COLOR: "#15c" }).brand.color).toBe("#1155cc");
  });

  it("refuses a colour that is not a hex colour (nothing else can reach the stylesheet)", () => {
    for (const color of ["red", "#12345", "#1234567", "#ggg", "#fff; background: url(x)", "rgb(0,0,0)"]) {
      refused({ BRAND_COLOR: color }, "BRAND_COLOR");
    }
  });

  it("refuses a logo that is not https or an inline image", () => {
    for (const logo of [
      "http://static.acme.example/logo.png",
      "javascript:alert(1)",
      "/logo.png",
      "//static.acme.example/logo.png",
      "https://user:secret@static.acme.example/logo.png",
      "data:text/html;base64,PHNjcmlwdD4=",
      "data:image/svg+xml,<svg onload=alert(1)>",
      "not a url",
    ]) {
      refused({ BRAND_LOGO_URL: logo }, "BRAND_LOGO_URL");
    }
  });

  it("refuses a name that is too long or holds control characters", () => {
    refused({ BRAND_NAME: "x".repeat(65) }, "BRAND_NAME");
    refused({ BRAND_NAME: "Acme\u0007Login" }, "BRAND_NAME");
  });

  it("makes a bad brand a configuration error for every request, named in the operator's log", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await deployment({ BRAND_COLOR: "tomato" })("/.well-known/openid-configuration");
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: "server_error" });
    expect(JSON.stringify(log.mock.calls)).toContain("BRAND_COLOR");
    // A browser gets the error page, in the default brand: the bad value is never used.
    const page = await deployment({ BRAND_COLOR: "tomato", BRAND_NAME: "Acme" })("/authorize", {
      headers: { Accept: "text/html", "Accept-Language": "de" },
    });
    expect(page.status).toBe(500);
    const html = await page.text();
    expect(plain((await selectOne(html, "title")).text)).toBe("Fehler – Gatehouse");
    expect(html).not.toContain("tomato");
  });
});
