#!/usr/bin/env node
// Profiles Gatehouse's hot flow (issue 14): starts it under `wrangler dev`, prepares the
// benchmark's users (bench/targets.mjs), drives the flow with N concurrent users and records a
// CPU profile of the Worker's isolate through its inspector with /work/shared/tools/profile-worker.mjs
// (or PROFILER=path). The summary is printed; the .cpuprofile goes to bench/profiles/ (not kept
// in git: see bench/README.md for the summaries that are).
// Usage: node bench/profile.mjs [--users 8] [--duration 15] [--interval 100] [--name label]
//        [--isolates "core:user|kv:|core:entry"] [--focus sign=createSignature ...]
import { execFileSync, spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startGatehouse } from "../e2e/wrangler.mjs";
import { TARGETS } from "./targets.mjs";

const { values: args } = parseArgs({
  options: {
    users: { type: "string", default: "8" },
    duration: { type: "string", default: "15" },
    interval: { type: "string", default: "100" },
    name: { type: "string", default: "gatehouse" },
    // Every isolate whose id matches (e.g. "core:user|kv:ns|core:entry"), through workerd's own
    // inspector instead of wrangler's (which shows only the Worker's isolate).
    isolates: { type: "string" },
    // LABEL=RE, passed on: the time of samples with a matching frame on the stack.
    focus: { type: "string", multiple: true, default: [] },
  },
});
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PROFILER = process.env.PROFILER ?? "/work/shared/tools/profile-worker.mjs";
const target = TARGETS.find((t) => t.name === "gatehouse");

/** workerd's own inspector port: the loopback port of a workerd in the group that lists `re`. */
async function workerdInspector(pgid, re) {
  const pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d)).filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      return stat.includes("(workerd)") && stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2] === String(pgid);
    } catch {
      return false;
    }
  });
  const listening = execFileSync("ss", ["-ltnpH"], { encoding: "utf8" }).split("\n");
  for (const line of listening) {
    if (!pids.some((pid) => line.includes(`pid=${pid},`))) continue;
    const port = /127\.0\.0\.1:(\d+)/.exec(line)?.[1];
    if (!port) continue;
    const list = await fetch(`http://127.0.0.1:${port}/json`).then((r) => r.json(), () => null);
    if (Array.isArray(list) && list.some((t) => re.test(t.id))) return port;
  }
  throw new Error("no workerd inspector of this server lists those isolates");
}

const server = await startGatehouse({ cwd: ROOT, readyPath: target.readyPath });
try {
  const states = await target.setup(server, Number(args.users));
  let flows = 0;
  let running = true;
  const loops = states.map(async (state) => {
    while (running) {
      await target.flow(state, (_name, fn) => fn());
      flows++;
    }
  });
  await new Promise((ok) => setTimeout(ok, 3000)); // warm-up: the isolate's caches fill
  const before = flows;
  const where = args.isolates
    ? ["--port", await workerdInspector(server.pid, new RegExp(args.isolates)), "--target-filter", args.isolates]
    : ["--port", String(server.inspectorPort)];
  const profiler = spawn(
    process.execPath,
    [PROFILER, ...where, "-d", args.duration, "--interval", args.interval, "--project", ROOT, "--out", `${ROOT}bench/profiles`, "--name", args.name, "--top", "40", "--pgid", String(server.pid), ...args.focus.flatMap((f) => ["--focus", f])],
    { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
  );
  // The profiler prints its report and then can linger on the inspector's closing handshake:
  // once the report's last section is out, it has done its work.
  await new Promise((ok) => {
    let out = "";
    profiler.stdout.on("data", (d) => {
      process.stdout.write(d);
      out += d;
      if (/Busy isolate time[^\n]*\n.*\n/.test(out)) setTimeout(ok, 500);
    });
    profiler.once("exit", ok);
  });
  profiler.kill();
  const during = flows - before;
  running = false;
  console.error("profiler done; waiting for the users' last flows");
  await Promise.all(loops);
  console.log(`\n${during} flows while profiling (${args.users} users)`);
} finally {
  await server.stop();
}
