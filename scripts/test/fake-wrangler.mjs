#!/usr/bin/env node
// A stand-in for wrangler in the setup tests: appends each call (argv and stdin) as a JSON line
// to $FAKE_WRANGLER_LOG and prints what wrangler 4 prints. $FAKE_WRANGLER_STATE (a JSON file)
// holds the account: logged in or not, its KV namespaces, its secrets.
import { randomBytes } from "node:crypto";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import process from "node:process";

const args = process.argv.slice(2);
const statePath = process.env.FAKE_WRANGLER_STATE;
const state = JSON.parse(readFileSync(statePath, "utf8"));
let stdin = "";
if (args[0] === "secret" && args[1] === "put") {
  for await (const chunk of process.stdin) stdin += chunk;
}
appendFileSync(process.env.FAKE_WRANGLER_LOG, JSON.stringify({ args, stdin }) + "\n");
const save = () => writeFileSync(statePath, JSON.stringify(state));
// The words of the command, without options (--config takes the next argument).
const words = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--config");
const command = words.slice(0, 3).join(" ");
const banner = "\n ⛅️ wrangler 4.164.0\n───────────────────\n";

if (!state.loggedIn && command !== "whoami") {
  console.error("✘ [ERROR] You are not authenticated. Please run `wrangler login`.");
  process.exit(1);
}
if (command === "whoami") {
  console.log(banner + (state.loggedIn
    ? "👋 You are logged in with an OAuth Token, associated with the email ada@example.com."
    : "You are not authenticated. Please run `wrangler login`."));
} else if (command === "kv namespace list") {
  console.log(JSON.stringify(state.namespaces, null, "  "));
} else if (command.startsWith("kv namespace create")) {
  const title = words[3];
  const id = randomBytes(16).toString("hex");
  state.namespaces.push({ id, title, supports_url_encoding: true });
  save();
  console.log(`${banner}Resource location: remote\n🌀 Creating namespace with title "${title}"\n✨ Success!`);
  console.log("To access your new KV Namespace in your Worker, add the following snippet to your configuration file:");
  console.log(`[[kv_namespaces]]\nbinding = "${title}"\nid = "${id}"`);
} else if (command === "secret list") {
  if (!state.workerExists) {
    console.error('✘ [ERROR] This Worker does not exist on your account. [code: 10007]');
    process.exit(1);
  }
  console.log(JSON.stringify(Object.keys(state.secrets).map((name) => ({ name, type: "secret_text" })), null, "  "));
} else if (command === "secret put ADMIN_TOKEN") {
  state.secrets.ADMIN_TOKEN = stdin;
  state.workerExists = true;
  save();
  console.log(`${banner}🌀 Creating the secret for the Worker "gatehouse"\n✨ Success! Uploaded secret ADMIN_TOKEN`);
} else {
  console.error(`fake wrangler: unexpected command ${args.join(" ")}`);
  process.exit(1);
}
