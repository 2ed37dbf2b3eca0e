import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { ADMIN_TOKEN, ORIGIN, admin, request } from "../helpers/http";

const paths = ["/admin", "/admin/", "/admin/clients", "/admin/users", "/admin/clients/some-id", "/admin/users/some-id", "/admin/other"];

describe("admin API guard", () => {
  it.each(paths)("answers 404 not_found at %s when ADMIN_TOKEN is unset", async (path) => {
    const app = createApp();
    const res = await app.fetch(
      new Request(new URL(path, ORIGIN), { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } }),
      { ...env, ADMIN_TOKEN: undefined },
    );
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: "not_found" });
  });

  it("answers 404 to a POST too when ADMIN_TOKEN is unset, and creates nothing", async () => {
    const username = `guard-${crypto.randomUUID()}`;
    const res = await createApp().fetch(
      new Request(new URL("/admin/users", ORIGIN), {
        method: "POST",
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify({ username, password: "long enough password" }),
      }),
      { ...env, ADMIN_TOKEN: undefined },
    );
    expect(res.status).toBe(404);
    const list = (await (await admin("GET", "/users?limit=1000")).json()) as { users: { username: string }[] };
    expect(list.users.map((u) => u.username)).not.toContain(username);
  });

  it.each([
    ["no Authorization header", undefined],
    ["a wrong token", `Bearer wrong-${ADMIN_TOKEN}`],
    ["a prefix of the token", `Bearer ${ADMIN_TOKEN.slice(0, -1)}`],
    ["the token with a suffix", `Bearer ${ADMIN_TOKEN}x`],
    ["another scheme", `Basic ${btoa(`admin:${ADMIN_TOKEN}`)}`],
    ["the token without a scheme", ADMIN_TOKEN],
    ["an empty bearer token", "Bearer "],
  ])("answers 401 unauthorized with a Bearer challenge for %s", async (_, authorization) => {
    for (const path of paths) {
      const res = await request(path, authorization === undefined ? {} : { headers: { Authorization: authorization } });
      expect(res.status).toBe(401);
      expect(res.headers.get("WWW-Authenticate")).toBe('Bearer realm="gatehouse-admin"');
      expect(await res.json()).toMatchObject({ error: "unauthorized" });
    }
  });

  it("refuses an unauthenticated POST before reading its body, and creates nothing", async () => {
    const metadata = (name: string) => JSON.stringify({ client_name: name, redirect_uris: ["https://rp.example/cb"] });
    const refused = `guard-${crypto.randomUUID()}`;
    // A valid body, and bodies that would be refused if they were read: malformed JSON (400)
    // and one over the 64 KiB limit (413). The guard answers first, so all get the same 401.
    for (const body of [metadata(refused), "{not json", `{"padding":"${"x".repeat(128 * 1024)}"}`]) {
      const res = await request("/admin/clients", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body,
      });
      expect(res.status).toBe(401);
      expect(res.headers.get("WWW-Authenticate")).toBe('Bearer realm="gatehouse-admin"');
      expect(await res.json()).toMatchObject({ error: "unauthorized" });
    }

    // In process the app gets the stream itself, so a read shows as a pull. (Through the
    // runtime, request() above, the body is pumped ahead whether or not the app reads it.)
    const post = async (name: string, headers: Record<string, string> = {}) => {
      let pulls = 0;
      const body = new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            pulls++;
            controller.enqueue(new TextEncoder().encode(metadata(name)));
            controller.close();
          },
        },
        { highWaterMark: 0 },
      );
      const res = await createApp().fetch(
        new Request(new URL("/admin/clients", ORIGIN), {
          method: "POST",
          headers: { "Content-Type": "application/json", ...headers },
          body,
        }),
        env,
      );
      return { status: res.status, read: pulls > 0 };
    };
    expect(await post(refused)).toEqual({ status: 401, read: false });
    expect(await post(refused, { Authorization: "Bearer wrong" })).toEqual({ status: 401, read: false });
    // The same request with the token is read and acted on: the stream can show a read.
    const admitted = `guard-${crypto.randomUUID()}`;
    expect(await post(admitted, { Authorization: `Bearer ${ADMIN_TOKEN}` })).toEqual({ status: 201, read: true });

    const list = (await (await admin("GET", "/clients?limit=1000")).json()) as { clients: { client_name?: string }[] };
    const names = list.clients.map((c) => c.client_name);
    expect(names).toContain(admitted);
    expect(names).not.toContain(refused);
  });

  it("admits the right token, with the scheme in any case (RFC 6750 §2.1)", async () => {
    for (const scheme of ["Bearer", "bearer", "BEARER"]) {
      const res = await request("/admin/clients", { headers: { Authorization: `${scheme} ${ADMIN_TOKEN}` } });
      expect(res.status).toBe(200);
    }
  });

  it("marks admin answers not cacheable", async () => {
    const res = await admin("GET", "/users");
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
  });

  it("answers 404 not_found for an unknown admin path with the right token", async () => {
    const res = await admin("GET", "/nothing-here");
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: "not_found" });
  });
});
