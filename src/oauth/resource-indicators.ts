// RFC 8707 resource indicators: which resource servers a client may ask tokens for. Read by the
// authorization request and by the grants that take `resource` at the token endpoint.
import type { Config } from "../config";
import { OAuthError } from "../protocol/errors";
import type { ClientRecord } from "../storage/clients";

/**
 * RFC 8707 §2: each resource is an absolute URI without a fragment, and must be one this
 * deployment serves (RESOURCES) and, when the client's metadata narrows the list, one of those.
 */
export function resolveResources(
  config: Config,
  client: ClientRecord,
  resources: readonly string[],
): string[] {
  const permitted = client.metadata.resources ?? config.resources;
  for (const resource of resources) {
    if (!URL.canParse(resource) || resource.includes("#")) {
      throw new OAuthError("invalid_target", "A resource must be an absolute URI without fragment");
    }
    if (!config.resources.includes(resource) || !permitted.includes(resource)) {
      throw new OAuthError("invalid_target", "A requested resource is not available to this client");
    }
  }
  return [...new Set(resources)];
}
