// What follows the end of a Gatehouse session at /logout: grants and back-channel logout.
import type { Context } from "hono";
import type { AppEnv } from "../http/app-env";
import { securityEvent } from "../http/security-events";
import type { Session } from "../http/session";
import type { ClientRecord } from "../storage/clients";
import { listUserGrants, revokeGrant } from "../storage/grants";
import { sendBackchannelLogout } from "./backchannel-logout";
import { findClient } from "./client-lookup";

/**
 * After `session` ended: the grants issued under it to clients that registered
 * `logout_revokes_grants` (a Gatehouse extension) are revoked, with their refresh tokens, before
 * the answer; every other grant outlives the session (refresh tokens keep working until revoked,
 * RFC 7009, or until they expire). Then each client with a live grant of the user and a
 * `backchannel_logout_uri` is told (OIDC Back-Channel Logout 1.0).
 *
 * "Issued under the session": the grant's `auth_time` is the session's, since a code is issued
 * from the session and carries its auth_time (OIDC Core §2). Two sessions of one user that began
 * in the same second cannot be told apart this way; sessions with ids (issue 13 point 1) can
 * record the `sid` on the grant instead.
 */
export async function afterSessionEnd(c: Context<AppEnv>, session: Session): Promise<void> {
  const stores = c.get("stores");
  const grants = await listUserGrants(stores, session.sub);
  const clients = new Map<string, ClientRecord>();
  for (const clientId of new Set(grants.map((g) => g.clientId))) {
    // A client whose registration is gone, or whose metadata document cannot be fetched now,
    // cannot be told; the logout itself still succeeds.
    const client = await findClient(stores, c.get("config"), clientId).catch(() => null);
    if (client !== null) clients.set(clientId, client);
  }
  const ending = grants.filter(
    (g) => g.authTime === session.authTime && clients.get(g.clientId)?.metadata.logout_revokes_grants === true,
  );
  await Promise.all(
    ending.map(async (g) => {
      if (await revokeGrant(stores, session.sub, g.grantId)) {
        securityEvent("grant.revoked", { grant_id: g.grantId, sub: g.sub, client_id: g.clientId, reason: "logout" });
      }
    }),
  );
  sendBackchannelLogout(c, session, [...clients.values()]);
}
