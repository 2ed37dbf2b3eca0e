import * as v from "valibot";

/**
 * Gatehouse's configuration, parsed once per `env` object from wrangler `[vars]` and secrets.
 * Nothing else in the code base reads `env` strings.
 */
export interface Config {
  /** Fixed issuer identifier (RFC 8414 §2). Undefined: the request's origin is used (local development). */
  readonly issuer: string | undefined;
  /** Bearer token of the admin API. Undefined: the admin API answers 404. */
  readonly adminToken: string | undefined;
  readonly codeTtl: number;
  readonly accessTokenTtl: number;
  readonly refreshTokenTtl: number;
  /** Seconds a confidential client may retry a refresh with the token it just rotated (0: never). */
  readonly refreshTokenReuseGrace: number;
  /** Absolute lifetime of a grant, whatever its refreshes. */
  readonly grantMaxLifetime: number;
  /** Lifetime of the Gatehouse login session cookie. */
  readonly sessionTtl: number;
  /**
   * Seconds a session cookie is trusted without asking the user's Durable Object whether the
   * session still exists (0: ask on every use). Bounds how long an ended session lingers.
   */
  readonly sessionCheckInterval: number;
  /** Seconds between scheduled key rotations (0: only on demand). README "Key rotation". */
  readonly keyRotationPeriod: number;
  readonly registration: "closed" | "open" | "token";
  readonly registrationToken: string | undefined;
  /** RFC 8707 resource indicators this deployment issues tokens for. */
  readonly resources: readonly string[];
  /** JWS algorithm of access tokens. ES256 by default: see README "Signing algorithm". */
  readonly accessTokenAlg: SigningAlg;
  /** Names of the login methods offered, in page order (resolved by src/auth/methods.ts). */
  readonly loginMethods: readonly string[];
  /**
   * Tests and local development only: `host:port` values (loopback hosts) whose client ID
   * metadata documents may be fetched over plain http. Empty unless INSECURE_CLIENT_METADATA_HOSTS
   * is set; refused when ISSUER is https.
   */
  readonly insecureClientMetadataHosts: readonly string[];
  /** How the pages present the deployment (BRAND_NAME, BRAND_LOGO_URL, BRAND_COLOR). */
  readonly brand: Brand;
}

/** The product the pages show: its name, logo and accent colour (README "Pages"). */
export interface Brand {
  /** In every page's title and header. "Gatehouse" by default. */
  readonly name: string;
  /**
   * An https URL (its origin is added to the pages' CSP img-src, and nothing else is) or a
   * base64 `data:image/…` URI (self-contained: the page still loads nothing from elsewhere).
   */
  readonly logoUrl: string | undefined;
  /** The accent (buttons, focus ring) as #rrggbb; the text on it is chosen for contrast. */
  readonly color: string | undefined;
}

export const DEFAULT_BRAND_NAME = "Gatehouse";

export const SIGNING_ALGS = ["ES256", "RS256"] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

export class ConfigError extends Error {
  override name = "ConfigError";

  /**
   * @param message for the operator's log: names the variable and the problem.
   * @param publicDescription what the 500 response may say (nothing secret).
   */
  constructor(
    message: string,
    readonly publicDescription = "The server is misconfigured",
  ) {
    super(message);
  }
}

const seconds = (fallback: number, max: number, min = 1) =>
  v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => (s.trim() === "" ? fallback : Number(s))),
    v.number(),
    v.integer(),
    v.minValue(min),
    v.maxValue(max),
  );

const optionalString = v.pipe(
  v.optional(v.string()),
  v.transform((s) => (s === undefined || s.trim() === "" ? undefined : s.trim())),
);

const absoluteUrl = v.pipe(v.string(), v.url());

const ConfigSchema = v.object({
  ISSUER: v.pipe(
    optionalString,
    v.check(
      (s) => s === undefined || isValidIssuer(s),
      "ISSUER must be an https origin without path, query or fragment (http only on localhost)",
    ),
    v.transform((s) => s?.replace(/\/+$/, "")),
  ),
  ADMIN_TOKEN: optionalString,
  REGISTRATION_TOKEN: optionalString,
  CODE_TTL: seconds(60, 600),
  ACCESS_TOKEN_TTL: seconds(600, 86_400),
  REFRESH_TOKEN_TTL: seconds(30 * 86_400, 365 * 86_400),
  REFRESH_TOKEN_REUSE_GRACE: seconds(30, 300, 0),
  GRANT_MAX_LIFETIME: seconds(365 * 86_400, 10 * 365 * 86_400),
  SESSION_TTL: seconds(12 * 3600, 30 * 86_400),
  SESSION_CHECK_INTERVAL: seconds(300, 3600, 0),
  // At least a day: a next key is published a whole period before it signs, longer than the
  // JWKS max-age (600 s) plus an isolate's key cache (60 s), so no verifier meets it unknown.
  KEY_ROTATION_PERIOD: v.pipe(
    seconds(30 * 86_400, 365 * 86_400, 0),
    v.check((s) => s === 0 || s >= 86_400, "KEY_ROTATION_PERIOD is 0 (never) or at least 86400"),
  ),
  REGISTRATION: v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => (s.trim() === "" ? "closed" : s.trim())),
    v.picklist(["closed", "open", "token"]),
  ),
  RESOURCES: v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => s.split(/\s+/).filter(Boolean)),
    v.array(v.pipe(absoluteUrl, v.check((u) => !u.includes("#"), "a resource has no fragment"))),
  ),
  ACCESS_TOKEN_ALG: v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => (s.trim() === "" ? "ES256" : s.trim())),
    v.picklist(SIGNING_ALGS),
  ),
  LOGIN_METHODS: v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => [...new Set(s.split(/[\s,]+/).filter(Boolean))]),
    v.transform((names) => (names.length === 0 ? ["password"] : names)),
  ),
  INSECURE_CLIENT_METADATA_HOSTS: v.pipe(
    v.optional(v.string(), ""),
    v.transform((s) => [...new Set(s.split(/\s+/).filter(Boolean))]),
    v.array(
      v.pipe(
        v.string(),
        v.check(isLoopbackHostPort, "each value must be a loopback host:port such as 127.0.0.1:4100"),
      ),
    ),
  ),
  BRAND_NAME: v.pipe(
    optionalString,
    v.check(
      (s) => s === undefined || (s.length <= 64 && !/\p{Cc}/u.test(s)),
      "BRAND_NAME is at most 64 characters, without control characters",
    ),
  ),
  BRAND_LOGO_URL: v.pipe(
    optionalString,
    v.check(
      (s) => s === undefined || isLogoUrl(s),
      "BRAND_LOGO_URL must be an https URL (without user or password) or a base64 data:image/(png|gif|jpeg|webp|svg+xml) URI",
    ),
  ),
  BRAND_COLOR: v.pipe(
    optionalString,
    v.check(
      (s) => s === undefined || /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(s),
      "BRAND_COLOR must be a hex colour such as #1a56db or #15c",
    ),
    v.transform((s) => (s === undefined ? undefined : expandHexColor(s))),
  ),
});

/**
 * A logo the pages may show without loading anything from a third party: an https URL, whose
 * exact origin joins the pages' img-src (CSP3 §2.3.1 host-source: an ASCII host, so no
 * character of it can end a directive), or an inline base64 image.
 */
function isLogoUrl(s: string): boolean {
  if (/^data:image\/(?:png|gif|jpeg|webp|svg\+xml);base64,[A-Za-z0-9+/]+={0,2}$/.test(s)) return true;
  if (!URL.canParse(s)) return false;
  const url = new URL(s);
  return (
    url.protocol === "https:" &&
    url.username === "" &&
    url.password === "" &&
    /^https:\/\/[a-z0-9.-]+(?::\d{1,5})?$/.test(url.origin)
  );
}

/** "#15c" → "#1155cc": one spelling, for the stylesheet and its contrast check. */
function expandHexColor(s: string): string {
  const hex = s.slice(1).toLowerCase();
  return `#${hex.length === 3 ? [...hex].map((d) => d + d).join("") : hex}`;
}

/** "127.0.0.1:4100", "localhost:4100", "[::1]:4100": a loopback host with an explicit port. */
function isLoopbackHostPort(s: string): boolean {
  if (!URL.canParse(`http://${s}`)) return false;
  const url = new URL(`http://${s}`);
  return url.host === s && url.port !== "" && isLocalHostname(url.hostname);
}

function isValidIssuer(s: string): boolean {
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return false;
  }
  if (url.search || url.hash || s.includes("#") || s.includes("?")) return false;
  // Gatehouse serves its endpoints at the root of its host; an issuer with a path would
  // advertise endpoints that do not exist (RFC 8414 §3.1 path-form metadata is not served).
  if (url.pathname !== "/") return false;
  if (url.protocol === "https:") return true;
  return url.protocol === "http:" && isLocalHostname(url.hostname);
}

export function isLocalHostname(hostname: string): boolean {
  return hostname === "localhost" || hostname === "127.0.0.1" || hostname === "[::1]";
}

const cache = new WeakMap<object, Config>();

/** Parses and validates the configuration; the result is cached per `env` object. */
export function getConfig(env: Env): Config {
  const cached = cache.get(env);
  if (cached) return cached;
  const result = v.safeParse(ConfigSchema, env);
  if (!result.success) {
    const problems = result.issues
      .map((i) => `${v.getDotPath(i) ?? "config"}: ${i.message}`)
      .join("; ");
    throw new ConfigError(`Invalid Gatehouse configuration: ${problems}`);
  }
  const o = result.output;
  if (o.REGISTRATION === "token" && !o.REGISTRATION_TOKEN) {
    throw new ConfigError("REGISTRATION=token needs the secret REGISTRATION_TOKEN");
  }
  // Plain http lets anyone on the path rewrite a client's metadata document: a deployment (an
  // https issuer) never allows it; only tests and local development do.
  if (o.INSECURE_CLIENT_METADATA_HOSTS.length > 0 && o.ISSUER?.startsWith("https:")) {
    throw new ConfigError(
      "INSECURE_CLIENT_METADATA_HOSTS is for tests and local development only: remove it when ISSUER is https",
    );
  }
  const config: Config = {
    issuer: o.ISSUER,
    adminToken: o.ADMIN_TOKEN,
    codeTtl: o.CODE_TTL,
    accessTokenTtl: o.ACCESS_TOKEN_TTL,
    refreshTokenTtl: o.REFRESH_TOKEN_TTL,
    refreshTokenReuseGrace: o.REFRESH_TOKEN_REUSE_GRACE,
    grantMaxLifetime: o.GRANT_MAX_LIFETIME,
    sessionTtl: o.SESSION_TTL,
    sessionCheckInterval: o.SESSION_CHECK_INTERVAL,
    keyRotationPeriod: o.KEY_ROTATION_PERIOD,
    registration: o.REGISTRATION,
    registrationToken: o.REGISTRATION_TOKEN,
    resources: o.RESOURCES,
    accessTokenAlg: o.ACCESS_TOKEN_ALG,
    loginMethods: o.LOGIN_METHODS,
    insecureClientMetadataHosts: o.INSECURE_CLIENT_METADATA_HOSTS,
    brand: {
      name: o.BRAND_NAME ?? DEFAULT_BRAND_NAME,
      logoUrl: o.BRAND_LOGO_URL,
      color: o.BRAND_COLOR,
    },
  };
  cache.set(env, config);
  return config;
}

/** Thrown for every request on a deployed host until ISSUER is set (logged once: on-error.ts). */
const MISSING_ISSUER = new ConfigError(
  "ISSUER is not set, and a request arrived for a host other than localhost, 127.0.0.1 or [::1]: " +
    'set ISSUER (wrangler.toml [vars], e.g. ISSUER = "https://login.example.com"); without it ' +
    "only local development is served",
  "This deployment is not configured: its ISSUER is not set, and only local development " +
    "(localhost) works without one. The operator must set ISSUER to the deployment's https URL.",
);

/**
 * The issuer identifier for a request: the configured ISSUER, or the request's own origin when
 * none is configured and the request is for a loopback host (local development with
 * `npm run dev`). Anywhere else ISSUER is required: the issuer is what clients pin and compare
 * (RFC 8414 §3.3, RFC 9207 §2.4, OIDC Discovery §4.3), and taking it from the Host header would
 * let whoever chooses the host name choose the issuer of the metadata and the tokens.
 */
export function issuerFor(config: Config, requestUrl: string): string {
  if (config.issuer !== undefined) return config.issuer;
  const url = new URL(requestUrl);
  if (!isLocalHostname(url.hostname)) throw MISSING_ISSUER;
  return url.origin;
}
