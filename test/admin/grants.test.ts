import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { expectTokenError, expectTokens, refresh } from "../helpers/codes";
import { createClient, createUser } from "../helpers/fixtures";
import {
  type StartedGrant,
  grantState,
  isActive,
  startGrant,
  userinfoStatus,
} from "../helpers/grants";
import { admin } from "../helpers/http";

interface GrantsBody {
  grants: {
    grant_id: string;
    client_id: string;
    scope: string;
    created_at: number;
    expires_at: number;
    auth_time: number;
    refresh_token_expires_at?: number;
    resource?: string[];
  }[];
}

const grantIdOf = (started: StartedGrant) => decodeJwt(started.accessToken).grant_id as string;

async function listGrants(sub: string): Promise<GrantsBody> {
  const res = await admin("GET", `/users/${sub}/grants`);
  expect(res.status).toBe(200);
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  return (await res.json()) as GrantsBody;
}

/** Every way the grant could still be used is refused: introspection, refresh, userinfo. */
async function expectEnded(started: StartedGrant, refreshError = "invalid_grant", status = 400) {
  expect(await grantState(started.accessToken)).toBe("revoked");
  expect(await isActive(started.accessToken)).toBe(false);
  expect(await isActive(started.refreshToken)).toBe(false);
  expect(await userinfoStatus(started.accessToken)).toBe(401);
  await expectTokenError(await refresh(started.client, started.refreshToken), refreshError, status);
}

async function expectLive(started: StartedGrant) {
  expect(await grantState(started.accessToken)).toBe("active");
  expect(await isActive(started.accessToken)).toBe(true);
  expect(await userinfoStatus(started.accessToken)).toBe(200);
}

describe("GET /admin/users/:id/grants", () => {
  it("lists the user's live grants with their client, scope and times", async () => {
    const user = await createUser();
    const first = await startGrant({ user });
    const second = await startGrant({ user, code: { scope: ["openid"] } });
    const { grants } = await listGrants(user.sub);
    expect(grants).toHaveLength(2);
    const byId = new Map(grants.map((g) => [g.grant_id, g]));
    expect(byId.get(grantIdOf(first))).toMatchObject({
      client_id: first.client.client_id,
      scope: "openid profile email",
      created_at: expect.any(Number),
      expires_at: expect.any(Number),
      refresh_token_expires_at: expect.any(Number),
    });
    expect(byId.get(grantIdOf(second))).toMatchObject({
      client_id: second.client.client_id,
      scope: "openid",
    });
    const listed = byId.get(grantIdOf(first));
    // The absolute cap (GRANT_MAX_LIFETIME, one year) beyond the sliding 30 days.
    expect((listed?.expires_at ?? 0) - (listed?.created_at ?? 0)).toBe(365 * 86_400);
    expect(JSON.stringify(grants)).not.toContain(first.refreshToken.split(".")[2]);
  });

  it("leaves out revoked grants, and answers an empty list for a user without grants", async () => {
    const user = await createUser();
    expect(await listGrants(user.sub)).toEqual({ grants: [] });
    await startGrant({ user });
    expect((await listGrants(user.sub)).grants).toHaveLength(1);
    await admin("DELETE", `/users/${user.sub}/grants`);
    expect(await listGrants(user.sub)).toEqual({ grants: [] });
  });

  it("answers 404 for an unknown user, and needs the admin token", async () => {
    for (const method of ["GET", "DELETE"]) {
      const res = await admin(method, "/users/nobody/grants");
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: "not_found" });
    }
  });
});

describe("DELETE /admin/users/:id/grants", () => {
  it("answers 204 and ends every grant of the user at once; others' grants and new ones live", async () => {
    const user = await createUser();
    const grants = [await startGrant({ user }), await startGrant({ user })];
    const someoneElse = await startGrant();
    const res = await admin("DELETE", `/users/${user.sub}/grants`);
    expect(res.status).toBe(204);
    for (const started of grants) await expectEnded(started);
    await expectLive(someoneElse);
    // The user still exists and may grant again.
    await expectLive(await startGrant({ user }));
  });
});

describe("deleting ends access", () => {
  it("deleting a user ends their grants at once: inactive, refresh refused, userinfo 401", async () => {
    const user = await createUser();
    const grants = [await startGrant({ user }), await startGrant({ user })];
    const someoneElse = await startGrant();
    expect((await admin("DELETE", `/users/${user.sub}`)).status).toBe(204);
    for (const started of grants) await expectEnded(started);
    await expectLive(someoneElse);
  });

  it("deleting a client ends its grants for every user at once; the users' other grants live", async () => {
    const client = await createClient();
    const [ada, bob] = [await createUser(), await createUser()];
    const grants = [
      await startGrant({ client, user: ada }),
      await startGrant({ client, user: bob }),
      await startGrant({ client, user: bob }),
    ];
    const adaElsewhere = await startGrant({ user: ada });
    expect((await admin("DELETE", `/clients/${client.client_id}`)).status).toBe(204);
    // The deleted client no longer authenticates at all.
    for (const started of grants) await expectEnded(started, "invalid_client", 401);
    await expectLive(adaElsewhere);
    await expectTokens(await refresh(adaElsewhere.client, adaElsewhere.refreshToken));
  });
});
