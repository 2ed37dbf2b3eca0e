#!/usr/bin/env node
// Command-line client of the Gatehouse admin API (`npm run admin -- …`). Plain Node, no
// dependencies: node:util parseArgs and fetch. Prints the server's JSON answer.
import process from "node:process";
import { parseArgs } from "node:util";

const HELP = `Usage: npm run admin -- [--url URL] [--token TOKEN] <command>

Commands:
  clients add --name NAME --redirect-uri URI [--redirect-uri URI2 ...]
              [--public] [--auth-method client_secret_basic|client_secret_post|none]
              [--grant-types authorization_code,refresh_token] [--scope "openid profile"]
  clients list
  clients get CLIENT_ID
  clients remove CLIENT_ID
  users add --username NAME --password PASSWORD [--email EMAIL] [--name NAME]
  users list
  users get SUB
  users remove SUB
  keys rotate     rotate the signing and sealing keys now (prints the kids now current and next)
  help

Options:
  --url URL       Gatehouse base URL (env GATEHOUSE_URL, default http://localhost:8787)
  --token TOKEN   admin bearer token (env ADMIN_TOKEN)

The password may also come from the environment variable GATEHOUSE_PASSWORD, which keeps it
out of the shell history and the process list. A new client's secret is shown only once.`;

const OPTIONS = {
  url: { type: "string" },
  token: { type: "string" },
  help: { type: "boolean", short: "h" },
  name: { type: "string" },
  "redirect-uri": { type: "string", multiple: true },
  public: { type: "boolean" },
  "auth-method": { type: "string" },
  "grant-types": { type: "string" },
  scope: { type: "string" },
  username: { type: "string" },
  password: { type: "string" },
  email: { type: "string" },
};

/** The options each command accepts (besides --url, --token and --help). */
const COMMAND_OPTIONS = {
  "clients add": ["name", "redirect-uri", "public", "auth-method", "grant-types", "scope"],
  "users add": ["username", "password", "email", "name"],
};

class UsageError extends Error {}

async function main(argv) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(e.message);
  }
  const { values, positionals } = parsed;
  const [resource, action, id, ...extra] = positionals;
  if (values.help || resource === undefined || resource === "help") {
    console.log(HELP);
    return;
  }
  const command = `${resource} ${action ?? ""}`.trim();
  const allowed = new Set(["url", "token", "help", ...(COMMAND_OPTIONS[command] ?? [])]);
  const misplaced = Object.keys(values).find((k) => !allowed.has(k));
  if (misplaced) throw new UsageError(`--${misplaced} does not apply to "${command}"`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);

  const api = adminApi(values);
  switch (command) {
    case "clients add":
      noId(id, command);
      return print(await api("POST", "/clients", clientMetadata(values)));
    case "clients list":
      noId(id, command);
      return print({ clients: await listAll(api, "/clients", "clients") });
    case "clients get":
      return print(await api("GET", `/clients/${encodeURIComponent(requireId(id, command))}`));
    case "clients remove": {
      const clientId = requireId(id, command);
      await api("DELETE", `/clients/${encodeURIComponent(clientId)}`);
      return print({ deleted: clientId });
    }
    case "users add":
      noId(id, command);
      return print(await api("POST", "/users", newUser(values)));
    case "users list":
      noId(id, command);
      return print({ users: await listAll(api, "/users", "users") });
    case "users get":
      return print(await api("GET", `/users/${encodeURIComponent(requireId(id, command))}`));
    case "users remove": {
      const sub = requireId(id, command);
      await api("DELETE", `/users/${encodeURIComponent(sub)}`);
      return print({ deleted: sub });
    }
    case "keys rotate":
      noId(id, command);
      return print(await api("POST", "/keys/rotate"));
    default:
      throw new UsageError(`unknown command "${command}" (try "help")`);
  }
}

/** RFC 7591 §2 client metadata from the command line; the server validates it. */
function clientMetadata(values) {
  if (!values.name) throw new UsageError("clients add needs --name");
  const redirectUris = values["redirect-uri"] ?? [];
  if (redirectUris.length === 0) throw new UsageError("clients add needs at least one --redirect-uri");
  if (values.public && values["auth-method"] && values["auth-method"] !== "none") {
    throw new UsageError("--public means --auth-method none");
  }
  const metadata = { client_name: values.name, redirect_uris: redirectUris };
  const authMethod = values.public ? "none" : values["auth-method"];
  if (authMethod) metadata.token_endpoint_auth_method = authMethod;
  if (values["grant-types"] !== undefined) {
    metadata.grant_types = values["grant-types"].split(",").map((s) => s.trim()).filter(Boolean);
  }
  if (values.scope !== undefined) metadata.scope = values.scope;
  return metadata;
}

function newUser(values) {
  if (!values.username) throw new UsageError("users add needs --username");
  const password = values.password ?? process.env.GATEHOUSE_PASSWORD;
  if (!password) throw new UsageError("users add needs --password or GATEHOUSE_PASSWORD");
  const user = { username: values.username, password };
  if (values.email !== undefined) user.email = values.email;
  if (values.name !== undefined) user.name = values.name;
  return user;
}

function requireId(id, command) {
  if (!id) throw new UsageError(`${command} needs an id`);
  return id;
}

function noId(id, command) {
  if (id !== undefined) throw new UsageError(`unexpected argument "${id}" for ${command}`);
}

/** A function that calls the admin API and resolves to the parsed JSON answer (or null). */
function adminApi(values) {
  const base = (values.url ?? process.env.GATEHOUSE_URL ?? "http://localhost:8787").replace(/\/+$/, "");
  const token = values.token ?? process.env.ADMIN_TOKEN;
  if (!token) throw new UsageError("no admin token: pass --token or set ADMIN_TOKEN");
  return async (method, path, body) => {
    const url = `${base}/admin${path}`;
    let res;
    try {
      res = await fetch(url, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: "application/json",
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (e) {
      throw new Error(`cannot reach ${base}: ${e.cause?.message ?? e.message}`);
    }
    const text = await res.text();
    let json = null;
    if (text !== "") {
      try {
        json = JSON.parse(text);
      } catch {
        throw new Error(`${method} ${url}: HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`);
      }
    }
    if (!res.ok) {
      const reason = json?.error_description ?? json?.error ?? `HTTP ${res.status}`;
      throw new Error(`${reason} (${json?.error ?? "error"}, HTTP ${res.status})`);
    }
    return json;
  };
}

/** Follows the list cursor to the end. */
async function listAll(api, path, key) {
  const items = [];
  let cursor;
  do {
    const page = await api("GET", `${path}?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    items.push(...page[key]);
    cursor = page.cursor;
  } while (cursor);
  return items;
}

function print(value) {
  console.log(JSON.stringify(value, null, 2));
}

main(process.argv.slice(2)).catch((e) => {
  console.error(`error: ${e.message}`);
  if (e instanceof UsageError) console.error('Run "npm run admin -- help" for usage.');
  process.exitCode = e instanceof UsageError ? 2 : 1;
});
