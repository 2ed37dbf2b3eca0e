// The runtime floor: the least a Worker can do for the benchmark's request mix. `GET /` answers
// from memory; `POST /do?u=<user>` makes one round trip to that user's Durable Object, which
// reads and writes one stored value (as a grant redemption or rotation does, at its smallest).
import { DurableObject } from "cloudflare:workers";
import { Hono } from "hono";

type Env = { COUNTERS: DurableObjectNamespace<Counter> };

export class Counter extends DurableObject {
  async bump(): Promise<number> {
    const next = ((await this.ctx.storage.get<number>("n")) ?? 0) + 1;
    await this.ctx.storage.put("n", next);
    return next;
  }
}

const app = new Hono<{ Bindings: Env }>();
app.get("/", (c) => c.json({ ok: true }));
app.post("/do", async (c) => {
  const stub = c.env.COUNTERS.get(c.env.COUNTERS.idFromName(c.req.query("u") ?? "anonymous"));
  return c.json({ n: await stub.bump() });
});

export default app;
