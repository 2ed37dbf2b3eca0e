/**
 * The network the examples (examples/*) see in tests: their outbound fetches to Gatehouse's
 * issuer reach the Gatehouse Worker under test (a deployment serving the examples' resources,
 * RESOURCES), and fetches to an example API's origin reach that example's Hono app with its
 * vars. Anything else goes out as usual.
 */
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import { createApp } from "../../src/app";
import { ORIGIN } from "./http";
import { API, REPORTS } from "./machine";

/** The example API's identifier in these tests (RFC 8707): machine.ts's API. */
export const EXAMPLE_API = API;

/** Gatehouse at ORIGIN (its issuer) as machine.ts's `send` sees it: serving API and REPORTS. */
const gatehouseApp = createApp();
const gatehouseEnv = { ...env, RESOURCES: `${API} ${REPORTS}` };

type Fetcher = (req: Request) => Response | Promise<Response>;

/** Routes globalThis.fetch by origin until vi.restoreAllMocks(); `others` maps origins to apps. */
export function routeExampleFetches(others: Record<string, Fetcher> = {}): void {
  const fetch = globalThis.fetch;
  const routes: Record<string, Fetcher> = {
    [ORIGIN]: (req) => gatehouseApp.fetch(req, gatehouseEnv),
    ...others,
  };
  vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
    const req = new Request(input, init);
    const route = routes[new URL(req.url).origin];
    return Promise.resolve(route ? route(req) : fetch(req));
  });
}
