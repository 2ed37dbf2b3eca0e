/**
 * The demo application's calls to Gatehouse's endpoints (token, revocation, the API), recorded so
 * that each step can show the real request and response. They go in-process: a real `Request`
 * through the app's own `fetch`, so the full middleware stack (security headers, throttles,
 * client authentication) answers exactly as it would over the network, without a socket.
 */
import type { Context } from "hono";
import type { AppEnv } from "../http/app-env";

/** The app's own fetch (src/app.ts passes `app.fetch`). */
export type GatehouseFetch = (request: Request, env: Env) => Promise<Response>;

export interface RecordedExchange {
  request: {
    method: string;
    url: string;
    /** As shown: a client secret is redacted, a bearer token shortened. */
    headers: [string, string][];
    /** The form body, when there is one. */
    body?: string;
  };
  response: {
    status: number;
    /** The headers a client looks at (the security headers every response has are left out). */
    headers: [string, string][];
    body: string;
    /** The body parsed, when it is JSON. */
    json?: unknown;
  };
}

export interface GatehouseCall {
  method: "GET" | "POST";
  /** Path on the issuer, e.g. "/token". */
  path: string;
  /** Sent in clear to Gatehouse, shown redacted. */
  authorization?:
    | { scheme: "Basic"; clientId: string; clientSecret: string }
    | { scheme: "Bearer"; token: string };
  form?: Record<string, string>;
}

const SHOWN_RESPONSE_HEADERS = ["content-type", "cache-control", "pragma", "www-authenticate"];

export async function callGatehouse(
  c: Context<AppEnv>,
  gatehouse: GatehouseFetch,
  call: GatehouseCall,
): Promise<RecordedExchange> {
  const url = `${c.get("issuer")}${call.path}`;
  const sent = new Headers({ Accept: "application/json" });
  const shown: [string, string][] = [["Accept", "application/json"]];
  if (call.authorization?.scheme === "Basic") {
    const { clientId, clientSecret } = call.authorization;
    sent.set("Authorization", basicCredentials(clientId, clientSecret));
    shown.push(["Authorization", "Basic …redacted…"]);
  } else if (call.authorization?.scheme === "Bearer") {
    sent.set("Authorization", `Bearer ${call.authorization.token}`);
    shown.push(["Authorization", `Bearer ${shorten(call.authorization.token)}`]);
  }
  let body: string | undefined;
  if (call.form !== undefined) {
    body = new URLSearchParams(call.form).toString();
    sent.set("Content-Type", "application/x-www-form-urlencoded");
    shown.push(["Content-Type", "application/x-www-form-urlencoded"]);
  }
  const init = { method: call.method, headers: sent, ...(body === undefined ? {} : { body }) };
  const res = await gatehouse(new Request(url, init), c.env);
  const text = await res.text();
  return {
    request: { method: call.method, url, headers: shown, ...(body === undefined ? {} : { body }) },
    response: {
      status: res.status,
      headers: SHOWN_RESPONSE_HEADERS.flatMap((name): [string, string][] => {
        const value = res.headers.get(name);
        return value === null ? [] : [[name, value]];
      }),
      body: text,
      ...jsonOf(text, res.headers.get("content-type")),
    },
  };
}

/** RFC 6749 §2.3.1: client_secret_basic, both parts form-urlencoded first. */
function basicCredentials(clientId: string, clientSecret: string): string {
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, "+");
  return `Basic ${btoa(`${encode(clientId)}:${encode(clientSecret)}`)}`;
}

/** The start of a token, enough to recognise it on the page. */
export function shorten(token: string): string {
  return token.length > 24 ? `${token.slice(0, 20)}…` : token;
}

function jsonOf(text: string, contentType: string | null): { json?: unknown } {
  if (!contentType?.includes("json")) return {};
  try {
    return { json: JSON.parse(text) };
  } catch {
    return {};
  }
}
