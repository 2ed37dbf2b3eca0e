#!/usr/bin/env node
// Serves the single-page app on loopback, for trying it locally and for the browser tests
// (e2e/guides.mjs): index.html and app.js from this folder, oauth4webapi's browser build (one
// file, no dependencies) as ./vendor/oauth4webapi.js, and ./config.json.
//
//   CLIENT_ID=… node examples/spa/serve.mjs     # then open http://127.0.0.1:3000/
//
// Environment: CLIENT_ID (required), GATEHOUSE_URL (default http://127.0.0.1:8787), API
// (default <GATEHOUSE_URL>/api/me), SCOPE (default "openid profile"), RESOURCE, PORT (3000).
// To deploy, put the same files (with vendor/ and config.json) on any static host.
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = new URL("./", import.meta.url);
const FILES = {
  "/": [new URL("index.html", here), "text/html; charset=utf-8"],
  "/app.js": [new URL("app.js", here), "text/javascript; charset=utf-8"],
  "/vendor/oauth4webapi.js": [new URL(import.meta.resolve("oauth4webapi")), "text/javascript; charset=utf-8"],
};

/**
 * @param {{ config: object, port?: number }} options
 * @returns {Promise<{ origin: string, close: () => Promise<void> }>}
 */
export async function serveSpa({ config, port = 0 }) {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://spa").pathname;
    if (path === "/config.json") {
      res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store" });
      return void res.end(JSON.stringify(config));
    }
    const file = FILES[path];
    if (req.method !== "GET" || file === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { "Content-Type": file[1], "Cache-Control": "no-store" });
    res.end(await readFile(file[0]));
  });
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const issuer = process.env.GATEHOUSE_URL ?? "http://127.0.0.1:8787";
  if (!process.env.CLIENT_ID) {
    console.error(`CLIENT_ID is required (${fileURLToPath(import.meta.url)})`);
    process.exit(2);
  }
  const { origin } = await serveSpa({
    port: Number(process.env.PORT ?? 3000),
    config: {
      issuer,
      client_id: process.env.CLIENT_ID,
      api: process.env.API ?? `${issuer}/api/me`,
      scope: process.env.SCOPE ?? "openid profile",
      ...(process.env.RESOURCE ? { resource: process.env.RESOURCE } : {}),
    },
  });
  console.log(`The single-page app: ${origin}/`);
}
