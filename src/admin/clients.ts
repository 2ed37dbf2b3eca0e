import { Hono } from "hono/tiny";
import type { AppEnv } from "../http/app-env";
import {
  clientInformationResponse,
  deleteClientAndGrants,
  registerClient,
} from "../oauth/client-registration";
import { securityEvent } from "../http/security-events";
import { getClient, listClients } from "../storage/clients";
import { jsonBody, jsonObject } from "../http/json-body";
import { AdminError } from "./errors";
import { pageQuery } from "./pagination";

// The fields themselves are checked by parseClientMetadata (the same rules as POST /register);
// here only that the body is a JSON object.
const AnyObject = jsonObject("The client metadata");

const noSuchClient = () => new AdminError("not_found", "No such client");

/** /admin/clients: client registrations. Reads never show a secret or its hash. */
export const clientAdminRoutes = new Hono<AppEnv>()
  .post("/", ...jsonBody(AnyObject, "invalid_client_metadata"), async (c) => {
    const { record, clientSecret } = await registerClient(
      c.get("stores"),
      c.get("config"),
      c.req.valid("json"),
      "operator",
    );
    securityEvent("admin.action", { action: "client.create", target: record.client_id });
    return c.json(clientInformationResponse(record, clientSecret), 201);
  })
  .get("/", pageQuery, async (c) => {
    const { cursor, limit } = c.req.valid("query");
    const page = await listClients(c.get("stores"), { cursor, limit });
    return c.json({
      clients: page.clients.map((record) => clientInformationResponse(record)),
      ...(page.cursor === undefined ? {} : { cursor: page.cursor }),
    });
  })
  .get("/:id", async (c) => {
    const record = await getClient(c.get("stores"), c.req.param("id"));
    if (record === null) throw noSuchClient();
    return c.json(clientInformationResponse(record));
  })
  .delete("/:id", async (c) => {
    const clientId = c.req.param("id");
    if (!(await deleteClientAndGrants(c.get("stores"), clientId))) throw noSuchClient();
    securityEvent("admin.action", { action: "client.delete", target: clientId });
    return c.body(null, 204);
  });
