import { Hono } from "hono";
import { DurableObject } from "cloudflare:workers";
export class GrantObject extends DurableObject<Env> { async ping() { return 1; } }
export class KeyStore extends DurableObject<Env> {}
export class LoginThrottle extends DurableObject<Env> {}
const app = new Hono<{ Bindings: Env }>();
app.get("/", (c) => c.text("ok"));
export default app;
