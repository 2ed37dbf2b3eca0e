/**
 * The vocabulary of the generated requests: a Draft is an HTTP request under construction that
 * remembers whether it is still a valid one. Every alteration says whether it breaks validity
 * (a protocol rule the server must enforce) or is neutral (the server may accept it, e.g. a
 * media type in upper case, RFC 9110 §8.3.1). The invariants then hold the server to it: only a
 * valid request may yield a code, a token, an active introspection or an admin answer.
 */
import fc from "fast-check";
import type { TestClient } from "../helpers/fixtures";

export interface Draft {
  method: string;
  path: string;
  /** Parameters: the query of a GET, the form body of a POST. Order and repeats kept. */
  params: [string, string][];
  headers: Record<string, string>;
  /** How `params` travel in a POST body; `raw` replaces them. */
  body: "form" | "json" | "raw" | "none";
  raw?: string | Uint8Array;
  /** False once any breaking alteration applied. */
  valid: boolean;
  /** Why not valid, for failure messages. */
  broken: string[];
}

export function draft(method: string, path: string, params: [string, string][] = []): Draft {
  return { method, path, params, headers: {}, body: method === "GET" ? "none" : "form", valid: true, broken: [] };
}

export function breaks(d: Draft, why: string): void {
  d.valid = false;
  d.broken.push(why);
}

export function set(d: Draft, name: string, value: string | undefined): void {
  d.params = d.params.filter(([n]) => n !== name);
  if (value !== undefined) d.params.push([name, value]);
}

/** The URL and init of the request this draft stands for; the path is kept as a path. */
export function toRequest(d: Draft, origin: string): { url: string; init: RequestInit } {
  const url = new URL(`${origin}${d.path.startsWith("/") ? d.path : `/${d.path}`}`);
  // Header values travel as visible ASCII (RFC 9110 §5.5); anything else is replaced, which
  // keeps an altered value altered.
  const headers = new Headers(
    Object.entries(d.headers).map(([n, v]) => [n, v.replace(/[^\x20-\x7e]/g, "?").trim()]),
  );
  let body: string | Uint8Array | undefined;
  if (d.body === "raw") {
    // The body was written out already (its params, or garbage).
    if (d.method !== "GET" && d.method !== "HEAD") body = d.raw ?? "";
  } else if (d.body === "none" || d.method === "GET" || d.method === "HEAD") {
    for (const [n, v] of d.params) url.searchParams.append(n, v);
  } else if (d.body === "form") {
    body = new URLSearchParams(d.params).toString();
    if (!headers.has("Content-Type")) headers.set("Content-Type", "application/x-www-form-urlencoded");
  } else {
    body = JSON.stringify(Object.fromEntries(d.params));
    if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  }
  return {
    url: url.href,
    init: { method: d.method, headers, redirect: "manual", ...(body === undefined ? {} : { body }) },
  };
}

// ---- values -------------------------------------------------------------------------------

/** Random garbage: short strings of any code point, tricky constants, very long strings. */
export const garbage: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 24 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      " ", "%", "%00", "\u0000", "%2e%2e%2f", "../../admin", "null", "[]", "{}", "__proto__",
      "constructor", "😀", "\ud800", "\u202e", "a\r\nSet-Cookie: x=y", "<script>", "' OR 1=1 --",
      "=", "&", "+", ".", "..", "A.B", "a.b.c.d.e", "eyJhbGciOiJub25lIn0.e30.",
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 12_000 }).map((n) => "x".repeat(n)) },
);

/** How a known-good value is altered; every twist yields a different string. */
export interface Twist {
  kind: "flip" | "truncate" | "append" | "prefix" | "upper" | "lower" | "garbage";
  n: number;
  junk: string;
}

export const twist: fc.Arbitrary<Twist> = fc.record({
  kind: fc.constantFrom("flip", "truncate", "append", "prefix", "upper", "lower", "garbage"),
  n: fc.nat(),
  junk: garbage,
});

/**
 * `value` altered by `t`. A flip never touches the last character of a base64url segment (its
 * low bits may be padding that decoders ignore), so the altered value always carries other bytes.
 */
export function applyTwist(value: string, t: Twist): string {
  let out: string;
  switch (t.kind) {
    case "flip": {
      const positions = [...value].map((_, i) => i).filter(
        (i) => i + 1 < value.length && value[i + 1] !== "." && value[i] !== ".",
      );
      const at = positions[t.n % Math.max(positions.length, 1)] ?? 0;
      const ch = value[at] === "A" ? "B" : "A";
      out = value.slice(0, at) + ch + value.slice(at + 1);
      break;
    }
    case "truncate":
      out = value.slice(0, Math.max(0, value.length - 1 - (t.n % Math.max(value.length, 1))));
      break;
    case "append":
      out = `${value}${["A", ".", "~", "%41", "\u00e9"][t.n % 5]}`;
      break;
    case "prefix":
      out = `${["A", ".", "-", "x."][t.n % 4]}${value}`;
      break;
    case "upper":
      out = value.toUpperCase();
      break;
    case "lower":
      out = value.toLowerCase();
      break;
    case "garbage":
      out = t.junk;
      break;
  }
  // Well-formed UTF-16, so that the value can be encoded (a lone surrogate cannot).
  out = out.toWellFormed();
  return out === value ? `${value.slice(0, -1)}` : out;
}

// ---- alterations shared by every endpoint ----------------------------------------------------

/** RFC 6749 §3.1/§3.2: parameters must not be repeated (RFC 8707 `resource` excepted). */
export function repeatParam(d: Draft, n: number, junk: string): void {
  const candidates = d.params.filter(([name]) => name !== "resource");
  const picked = candidates[n % Math.max(candidates.length, 1)];
  if (picked === undefined) return;
  d.params.push([picked[0], n % 2 === 0 ? picked[1] : junk]);
  breaks(d, `repeated ${picked[0]}`);
}

export type BodyShape = "form" | "form-charset" | "form-upper" | "json" | "text" | "multipart" | "none-type" | "garbage-bytes";

export const bodyShape: fc.Arbitrary<BodyShape> = fc.oneof(
  { weight: 12, arbitrary: fc.constant<BodyShape>("form") },
  {
    weight: 6,
    arbitrary: fc.constantFrom<BodyShape>(
      "form-charset", "form-upper", "json", "text", "multipart", "none-type", "garbage-bytes",
    ),
  },
);

/** RFC 6749 §3.2 (and §4.1.1 for a POSTed authorization request): form-urlencoded bodies only. */
export function shapeBody(d: Draft, shape: BodyShape, bytes: Uint8Array): void {
  switch (shape) {
    case "form":
      return;
    case "form-charset":
      d.headers["Content-Type"] = "application/x-www-form-urlencoded; charset=UTF-8";
      return;
    case "form-upper": // media types are case-insensitive (RFC 9110 §8.3.1): neutral
      d.headers["Content-Type"] = "Application/X-WWW-Form-Urlencoded";
      return;
    case "json":
      d.body = "json";
      breaks(d, "JSON body");
      return;
    case "text":
      d.headers["Content-Type"] = "text/plain";
      breaks(d, "text/plain body");
      return;
    case "multipart":
      d.headers["Content-Type"] = "multipart/form-data; boundary=x";
      breaks(d, "multipart body");
      return;
    case "none-type":
      d.body = "raw";
      d.raw = new URLSearchParams(d.params).toString();
      breaks(d, "no Content-Type");
      return;
    case "garbage-bytes":
      d.body = "raw";
      d.raw = bytes;
      d.headers["Content-Type"] = "application/x-www-form-urlencoded";
      breaks(d, "garbage bytes");
  }
}

/** A short description of a draft for failure messages (long values cut). */
export function describe(d: Draft): string {
  const cut = (s: string) => (s.length > 120 ? `${s.slice(0, 120)}…(${s.length})` : s);
  const params = d.params.map(([n, v]) => `${cut(n)}=${cut(v)}`).join("&");
  return `${d.method} ${d.path} [${params}] headers=${cut(JSON.stringify(d.headers))} body=${d.body} valid=${d.valid}${d.broken.length ? ` (${d.broken.join(", ")})` : ""}`;
}

/** A generated request, ready to send, with what the invariants need to judge its answer. */
export interface Sent {
  d: Draft;
  /** Another Worker configuration to send it to (an open-registration deployment). */
  via?: (path: string, init: RequestInit) => Promise<Response>;
  /** The clients whose registered redirect URIs a Location may point at. */
  redirectClients: Pick<TestClient, "metadata">[];
  /** Whether this request may yield a code (in a redirect). */
  mayIssueCode: boolean;
  /** Endpoint-specific invariants, run after the shared ones: a violation, or null. */
  check?: (res: Response, body: string) => string | null;
  /** A code in a redirect: what redeeming it needs (added to the pool). */
  onCode?: (code: string) => void;
}

/** Mostly null: an alteration applied now and then. */
export const sometimes = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> =>
  fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: a });

/** About a third of the generated requests of a kind are sent unaltered (valid). */
export const clean: fc.Arbitrary<boolean> = fc.nat({ max: 9 }).map((n) => n < 3);
