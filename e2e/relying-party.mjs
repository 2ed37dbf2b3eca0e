// A stand-in for the client application: a tiny HTTP server on loopback that receives the
// authorization response at /cb, and serves pages written by the tests at /page/<name> (for
// instance a forged form that an attacker's site would show).
import { createServer } from "node:http";
import { freePort } from "./wrangler.mjs";

export async function startRelyingParty() {
  const port = await freePort();
  /** Every URL that reached /cb, in order. */
  const callbacks = [];
  const pages = new Map();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
    if (url.pathname === "/cb") {
      callbacks.push(url);
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      res.end("<!doctype html><title>Callback</title><p>Callback received.</p>");
      return;
    }
    const page = pages.get(url.pathname);
    if (page !== undefined) {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      res.end(page);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port,
    /** The registered redirect URI. */
    redirectUri: `http://127.0.0.1:${port}/cb`,
    callbacks,
    /** Serves `html` at /page/<name>; answers its URL on `host` (another site: "localhost"). */
    servePage(name, html, host = "localhost") {
      pages.set(`/page/${name}`, html);
      return `http://${host}:${port}/page/${name}`;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
