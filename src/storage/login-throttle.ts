// OWNER: helper D (pages, login throttle).
import { DurableObject } from "cloudflare:workers";

export class LoginThrottle extends DurableObject<Env> {}
