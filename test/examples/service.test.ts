/**
 * The example service (examples/service, docs/guides/service.md): a Worker whose cron job gets
 * an access token with the client credentials grant (RFC 6749 §4.4) and calls the example API
 * (examples/api-worker) with it, over the examples' stand-in network.
 */
import { createScheduledController } from "cloudflare:test";
import { decodeJwt } from "jose";
import { WWWAuthenticateChallengeError } from "oauth4webapi";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { app as api } from "../../examples/api-worker/src/app";
import worker from "../../examples/service/src/index";
import { nightlyReport } from "../../examples/service/src/report-job";
import { ServiceTokens } from "../../examples/service/src/service-tokens";
import { EXAMPLE_API, routeExampleFetches } from "../helpers/example-network";
import type { TestClient } from "../helpers/fixtures";
import { ORIGIN, admin } from "../helpers/http";
import { REPORTS, createMachineClient } from "../helpers/machine";

beforeAll(() =>
  routeExampleFetches({
    [EXAMPLE_API]: (req) => api.fetch(req, { ISSUER: ORIGIN, RESOURCE: EXAMPLE_API }),
  }),
);
afterAll(() => {
  vi.restoreAllMocks();
});

/** How many token requests reached Gatehouse since the test began. */
function tokenRequests(): number {
  return vi
    .mocked(globalThis.fetch)
    .mock.calls.filter(([input, init]) => new Request(input, init).url === `${ORIGIN}/token`).length;
}

function serviceTokens(client: TestClient, resource = EXAMPLE_API): ServiceTokens {
  return new ServiceTokens(
    { issuer: ORIGIN, clientId: client.client_id, clientSecret: client.client_secret ?? "" },
    { resource, scope: "reports:read" },
  );
}

describe("the example service (client credentials)", () => {
  it("its cron run reads the reports from the API with its own token", async () => {
    const client = await createMachineClient({ scope: "reports:read" });
    const log = vi.spyOn(console, "log");
    const env = {
      ISSUER: ORIGIN,
      API: EXAMPLE_API,
      CLIENT_ID: client.client_id,
      CLIENT_SECRET: client.client_secret ?? "",
    };
    await worker.scheduled(createScheduledController({ cron: "0 6 * * *" }), env);
    expect(log).toHaveBeenCalledWith(
      JSON.stringify({ job: "nightly-report", count: 2, titles: ["Third quarter", "Fourth quarter"] }),
    );
    log.mockRestore();
  });

  it("gets a token about itself, for the API only (RFC 8707), with the scope it asked", async () => {
    const client = await createMachineClient({ scope: "reports:read reports:write" });
    const claims = decodeJwt(await serviceTokens(client).get());
    expect(claims).toMatchObject({
      iss: ORIGIN,
      sub: `client:${client.client_id}`,
      aud: EXAMPLE_API,
      scope: "reports:read",
    });
  });

  it("keeps its token until shortly before it expires: two runs, one token request", async () => {
    const tokens = serviceTokens(await createMachineClient({ scope: "reports:read" }));
    vi.mocked(globalThis.fetch).mockClear();
    await nightlyReport(tokens, EXAMPLE_API);
    await nightlyReport(tokens, EXAMPLE_API);
    expect(tokenRequests()).toBe(1);
  });

  it("asks for a new token once when the API answers 401, then reports the API's challenge", async () => {
    // Tokens for another resource: the API refuses each one as invalid_token.
    const tokens = serviceTokens(await createMachineClient({ scope: "reports:read" }), REPORTS);
    vi.mocked(globalThis.fetch).mockClear();
    await expect(nightlyReport(tokens, EXAMPLE_API)).rejects.toThrow(/answered 401 Bearer .*error="invalid_token"/);
    expect(tokenRequests()).toBe(2);
  });

  it("gets no more tokens once its client is deleted (invalid_client)", async () => {
    const client = await createMachineClient({ scope: "reports:read" });
    expect((await admin("DELETE", `/clients/${client.client_id}`)).status).toBe(204);
    // RFC 6749 §5.2: 401 with a Basic challenge, since the client used client_secret_basic.
    const refused = await serviceTokens(client).get().catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(WWWAuthenticateChallengeError);
    const { response } = refused as WWWAuthenticateChallengeError;
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: "invalid_client" });
  });
});
