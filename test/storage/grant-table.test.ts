import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { randomToken } from "../../src/crypto/random";
import { GrantTable } from "../../src/storage/grant-table";

/** The grants table as deployed before grants recorded amr and acr. */
const SCHEMA_BEFORE_AMR = `
CREATE TABLE grants (
  grant_id TEXT PRIMARY KEY, client_id TEXT NOT NULL, scope TEXT NOT NULL,
  resource TEXT NOT NULL, auth_time INTEGER NOT NULL, created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL, revoked_at INTEGER, retain_until INTEGER NOT NULL,
  refresh_hash TEXT, refresh_expires_at INTEGER, previous_hash TEXT, rotated_at INTEGER,
  successor TEXT
);
CREATE TABLE retired_refresh_tokens (
  hash TEXT PRIMARY KEY, grant_id TEXT NOT NULL, expires_at INTEGER NOT NULL
);
INSERT INTO grants (grant_id, client_id, scope, resource, auth_time, created_at, expires_at,
  retain_until) VALUES ('old-grant', 'client-1', '["openid"]', '[]', 1, 1, 4102444800, 4102444800);`;

describe("the grants table", () => {
  it("adds the amr and acr columns to a table created before them, keeping its grants", async () => {
    const stub = env.USER_OBJECTS.getByName(randomToken(16));
    await runInDurableObject(stub, (_, state) => {
      state.storage.sql.exec(SCHEMA_BEFORE_AMR);
      const table = new GrantTable(state.storage.sql);
      expect(table.find("old-grant")).toMatchObject({ client_id: "client-1", amr: null, acr: null });
      table.insert({
        grant_id: "new-grant",
        client_id: "client-1",
        scope: '["openid"]',
        resource: "[]",
        auth_time: 2,
        amr: '["pwd"]',
        acr: "urn:example:loa:1",
        created_at: 2,
        expires_at: 4102444800,
        retain_until: 4102444800,
        refresh_hash: null,
        refresh_expires_at: null,
      });
      // Opened again (the object's next start), the table is left as it is.
      const reopened = new GrantTable(state.storage.sql);
      expect(reopened.find("new-grant")).toMatchObject({ amr: '["pwd"]', acr: "urn:example:loa:1" });
      expect(reopened.listLive(3).map((g) => g.grant_id)).toEqual(["old-grant", "new-grant"]);
    });
  });
});
