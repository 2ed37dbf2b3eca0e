// OWNER: helper B (tokens).
import { DurableObject } from "cloudflare:workers";

export class KeyStore extends DurableObject<Env> {}
