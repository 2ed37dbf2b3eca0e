// OWNER: helper C (grants and token endpoint).
import { DurableObject } from "cloudflare:workers";

export class GrantObject extends DurableObject<Env> {}
