#!/usr/bin/env node
// Command-line client of the Gatehouse admin API (`npm run admin -- …`). Plain Node, no
// dependencies: node:util parseArgs and fetch. In a terminal it prints tables and plain text;
// with --json, or when stdout is not a terminal (a pipe, a script), the server's JSON answer.
// Exit codes: 0 done, 1 the server (or the network) refused, 2 a usage error.
import process from "node:process";
import { parseArgs } from "node:util";

const GLOBAL_OPTIONS = `Options for every command:
  --url URL       Gatehouse base URL (env GATEHOUSE_URL, default http://localhost:8787)
  --token TOKEN   admin bearer token (env ADMIN_TOKEN)
  --json          print the server's JSON (the default when stdout is not a terminal)
  --table         print tables and plain text (the default in a terminal)
  -h, --help      this command's help`;

/** Each command: its usage line, what it does, and the options it takes besides the global ones. */
const COMMANDS = {
  "clients add": {
    usage: `clients add --name NAME --redirect-uri URI [--redirect-uri URI2 ...]
              [--public] [--auth-method client_secret_basic|client_secret_post|none]
              [--grant-types authorization_code,refresh_token] [--scope "openid profile"]`,
    about: "Registers a client (RFC 7591 metadata). A confidential client's secret is shown only this once.\n" +
      "A machine client (--grant-types client_credentials) needs no --redirect-uri.",
    options: ["name", "redirect-uri", "public", "auth-method", "grant-types", "scope"],
  },
  "clients list": { usage: "clients list", about: "Lists the clients (never a secret).", options: [] },
  "clients get": { usage: "clients get CLIENT_ID", about: "Shows one client's registration.", options: [] },
  "clients remove": {
    usage: "clients remove CLIENT_ID",
    about: "Deletes the client; its grants end at once.",
    options: [],
  },
  "users add": {
    usage: "users add --username NAME [--password PASSWORD] [--email EMAIL] [--name NAME]",
    about: "Creates a user. The password may come from GATEHOUSE_PASSWORD instead of --password, which keeps it out of the shell history and the process list.",
    options: ["username", "password", "email", "name"],
  },
  "users list": { usage: "users list", about: "Lists the users.", options: [] },
  "users get": { usage: "users get SUB", about: "Shows one user.", options: [] },
  "users remove": {
    usage: "users remove SUB",
    about: "Deletes the user; their sessions, consents and grants end at once.",
    options: [],
  },
  "users password": {
    usage: "users password SUB [--end-grants]",
    about: "Sets a user's password, read from GATEHOUSE_PASSWORD or asked for without echo. Every session of the user ends; with --end-grants every grant too.",
    options: ["end-grants"],
  },
  "users grants": {
    usage: "users grants SUB [--revoke]",
    about: "Lists the user's live grants; --revoke revokes them all (the user stays signed in; clients must ask again).",
    options: ["revoke"],
  },
  "users sessions": {
    usage: "users sessions SUB [--end [SID]]",
    about: "Lists the user's live browser sessions; --end ends them all, or only SID.",
    options: ["end"],
  },
  "keys rotate": {
    usage: "keys rotate",
    about: "Rotates the signing and sealing keys now (prints the kids now current and next).",
    options: [],
  },
};

const HELP = `Usage: npm run admin -- [--url URL] [--token TOKEN] [--json|--table] <command>

Commands:
${Object.values(COMMANDS)
  .map((c) => `  ${c.usage.split("\n")[0]}`)
  .join("\n")}
  help [COMMAND]

${GLOBAL_OPTIONS}

"npm run admin -- <command> --help" explains a command. A new client's secret is shown only once.`;

function commandHelp(name) {
  const c = COMMANDS[name];
  return `Usage: npm run admin -- ${c.usage}\n\n${c.about}\n\n${GLOBAL_OPTIONS}`;
}

const OPTIONS = {
  url: { type: "string" },
  token: { type: "string" },
  json: { type: "boolean" },
  table: { type: "boolean" },
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
  "end-grants": { type: "boolean" },
  revoke: { type: "boolean" },
  end: { type: "boolean" },
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
  const [resource, action, id, ...rest] = positionals;
  if (resource === undefined || (resource === "help" && action === undefined)) {
    console.log(HELP);
    return;
  }
  if (resource === "help") {
    const name = positionals.slice(1).join(" ");
    if (!COMMANDS[name]) throw new UsageError(`unknown command "${name}" (try "help")`);
    console.log(commandHelp(name));
    return;
  }
  const command = `${resource} ${action ?? ""}`.trim();
  if (values.help) {
    console.log(COMMANDS[command] ? commandHelp(command) : HELP);
    return;
  }
  if (!COMMANDS[command]) throw new UsageError(`unknown command "${command}" (try "help")`);
  const allowed = new Set(["url", "token", "json", "table", "help", ...COMMANDS[command].options]);
  const misplaced = Object.keys(values).find((k) => !allowed.has(k));
  if (misplaced) throw new UsageError(`--${misplaced} does not apply to "${command}"`);
  // Only `users sessions SUB --end SID` takes a second argument.
  const extra = command === "users sessions" && values.end ? rest.slice(1) : rest;
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (values.json && values.table) throw new UsageError("--json or --table, not both");
  const out = output(values.json || (!values.table && !process.stdout.isTTY));

  const api = adminApi(values);
  const path = (prefix) => `${prefix}/${encodeURIComponent(requireId(id, command))}`;
  switch (command) {
    case "clients add": {
      noId(id, command);
      const client = await api("POST", "/clients", clientMetadata(values));
      out.object(client);
      if (client?.client_secret) {
        console.error(
          "warning: the client_secret is shown only this once and cannot be read again: store it now (a secret manager, the client's configuration).",
        );
      }
      return;
    }
    case "clients list":
      noId(id, command);
      return out.list(
        { clients: await listAll(api, "/clients", "clients") },
        "clients",
        ["client_id", "client_name", "token_endpoint_auth_method", "redirect_uris"],
      );
    case "clients get":
      return out.object(await api("GET", path("/clients")));
    case "clients remove": {
      await api("DELETE", path("/clients"));
      return out.done({ deleted: id }, `Client ${id} deleted; its grants ended.`);
    }
    case "users add":
      noId(id, command);
      return out.object(await api("POST", "/users", newUser(values)));
    case "users list":
      noId(id, command);
      return out.list({ users: await listAll(api, "/users", "users") }, "users", ["sub", "username", "email", "name"]);
    case "users get":
      return out.object(await api("GET", path("/users")));
    case "users remove": {
      await api("DELETE", path("/users"));
      return out.done({ deleted: id }, `User ${id} deleted; their sessions, consents and grants ended.`);
    }
    case "users password": {
      const target = path("/users");
      const password = await newPassword();
      await api("PUT", `${target}/password`, { password, ...(values["end-grants"] ? { end_grants: true } : {}) });
      return out.done(
        { password_set: id, sessions_ended: true, grants_ended: values["end-grants"] === true },
        `Password of ${id} set; their sessions ended${values["end-grants"] ? ", and their grants" : ""}.`,
      );
    }
    case "users grants": {
      const target = `${path("/users")}/grants`;
      if (values.revoke) {
        await api("DELETE", target);
        return out.done({ revoked: id }, `Every grant of ${id} revoked.`);
      }
      return out.list(await api("GET", target), "grants", ["grant_id", "client_id", "scope", "created_at", "expires_at"]);
    }
    case "users sessions": {
      const target = `${path("/users")}/sessions`;
      if (values.end) {
        const sid = rest[0];
        await api("DELETE", sid === undefined ? target : `${target}/${encodeURIComponent(sid)}`);
        return out.done(
          { ended: id, ...(sid === undefined ? {} : { sid }) },
          sid === undefined ? `Every session of ${id} ended.` : `Session ${sid} of ${id} ended.`,
        );
      }
      return out.list(await api("GET", target), "sessions", ["sid", "created_at", "last_seen_at", "expires_at", "user_agent"]);
    }
    case "keys rotate":
      noId(id, command);
      return out.object(await api("POST", "/keys/rotate"));
  }
}

/** RFC 7591 §2 client metadata from the command line; the server validates it. */
function clientMetadata(values) {
  if (!values.name) throw new UsageError("clients add needs --name");
  const redirectUris = values["redirect-uri"] ?? [];
  const grantTypes = values["grant-types"]?.split(",").map((s) => s.trim()).filter(Boolean);
  // Only the authorization code grant redirects; a machine client (client_credentials) has no URI.
  if (redirectUris.length === 0 && (grantTypes === undefined || grantTypes.includes("authorization_code"))) {
    throw new UsageError("clients add needs at least one --redirect-uri");
  }
  if (values.public && values["auth-method"] && values["auth-method"] !== "none") {
    throw new UsageError("--public means --auth-method none");
  }
  const metadata = { client_name: values.name };
  if (redirectUris.length > 0) metadata.redirect_uris = redirectUris;
  const authMethod = values.public ? "none" : values["auth-method"];
  if (authMethod) metadata.token_endpoint_auth_method = authMethod;
  if (grantTypes !== undefined) metadata.grant_types = grantTypes;
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

/** The new password: GATEHOUSE_PASSWORD, else asked twice on the terminal without echo. */
async function newPassword() {
  if (process.env.GATEHOUSE_PASSWORD) return process.env.GATEHOUSE_PASSWORD;
  if (!process.stdin.isTTY) throw new UsageError("users password needs GATEHOUSE_PASSWORD (or a terminal to ask on)");
  const first = await readHidden("New password: ");
  const second = await readHidden("Again: ");
  if (first !== second) throw new UsageError("the two passwords differ");
  if (first === "") throw new UsageError("empty password");
  return first;
}

/** Reads a line from the terminal in raw mode, echoing nothing. */
function readHidden(prompt) {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.setEncoding("utf8");
    stdin.resume();
    let line = "";
    const finish = () => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
    };
    const onData = (chunk) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") {
          finish();
          return resolve(line);
        }
        if (ch === "\u0003" || ch === "\u0004") {
          finish();
          return reject(new UsageError("cancelled"));
        }
        line = ch === "\u007f" || ch === "\b" ? line.slice(0, -1) : line + ch;
      }
    };
    stdin.on("data", onData);
  });
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
      const cause = e.cause?.code ?? e.cause?.message ?? e.message;
      const local = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:|$)/.test(base);
      throw new Error(
        `cannot reach Gatehouse at ${base} (${cause})${local ? ": is `npm run dev` running?" : ": check --url or GATEHOUSE_URL"}`,
      );
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
      let hint = "";
      if (res.status === 401) hint = "\nThe admin token was refused: use the server's ADMIN_TOKEN (--token or ADMIN_TOKEN).";
      if (res.status === 404 && json === null) {
        hint = `\nNo admin API at ${base}: is ADMIN_TOKEN set on the server (npm run dev -- --var ADMIN_TOKEN:…)?`;
      }
      throw new Error(`${reason} (${json?.error ?? "error"}, HTTP ${res.status})${hint}`);
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

/** Prints answers as JSON (for scripts) or as tables and plain text (for people). */
function output(json) {
  const print = (value) => console.log(JSON.stringify(value, null, 2));
  return {
    object: (value) => (json ? print(value) : console.log(keyValues(value))),
    list: (value, key, columns) => {
      if (json) return print(value);
      const rows = value[key];
      console.log(rows.length === 0 ? `(no ${key})` : table(rows, columns));
    },
    done: (value, sentence) => (json ? print(value) : console.log(sentence)),
  };
}

/** Seconds (or milliseconds) since the epoch under a *_at or *_time key, as a UTC date. */
function cell(key, value) {
  if (value === undefined || value === null) return "";
  if (typeof value === "number" && /(_at|_time)$/.test(key)) {
    return new Date(value > 1e12 ? value : value * 1000).toISOString().replace(/\.\d+Z$/, "Z");
  }
  if (Array.isArray(value)) return value.join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function table(rows, columns) {
  const cells = rows.map((row) => columns.map((c) => cell(c, row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (r) => r.map((v, i) => v.padEnd(widths[i])).join("  ").trimEnd();
  return [line(columns), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}

function keyValues(value) {
  const keys = Object.keys(value ?? {});
  const width = Math.max(0, ...keys.map((k) => k.length));
  return keys.map((k) => `${k.padEnd(width)}  ${cell(k, value[k])}`).join("\n");
}

main(process.argv.slice(2)).catch((e) => {
  console.error(`error: ${e.message}`);
  if (e instanceof UsageError) console.error('Run "npm run admin -- help" for usage.');
  process.exitCode = e instanceof UsageError ? 2 : 1;
});
