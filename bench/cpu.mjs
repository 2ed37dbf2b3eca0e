// Server CPU attribution for the benchmark: the CPU time (user + system, utime + stime in
// /proc/<pid>/stat, in clock ticks) of the processes in one `wrangler dev` process tree. The
// workerd processes run the Worker, its Durable Objects and the local KV; the Node processes
// (npx, wrangler) only supervise, and are reported apart.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

export const CLK_TCK = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** pid → { ppid, comm, ticks } for every process we may read, or null off Linux. */
function processTable() {
  let pids;
  try {
    pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  const table = new Map();
  for (const pid of pids) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // Exited meanwhile.
    }
    // comm is in parentheses and may hold spaces; the fields after its closing one are fixed
    // (proc(5)): state ppid pgrp … utime(14) stime(15), counting from 1 with pid and comm.
    const close = stat.lastIndexOf(")");
    const comm = stat.slice(stat.indexOf("(") + 1, close);
    const rest = stat.slice(close + 2).split(" ");
    table.set(Number(pid), { ppid: Number(rest[1]), comm, ticks: Number(rest[11]) + Number(rest[12]) });
  }
  return table;
}

/** CPU ticks of the tree under `root`: { workerd, other, workerdPids }. */
export function treeCpu(root) {
  const table = processTable();
  if (!table) return null;
  const children = new Map();
  for (const [pid, p] of table) (children.get(p.ppid) ?? children.set(p.ppid, []).get(p.ppid)).push(pid);
  let workerd = 0;
  let other = 0;
  const workerdPids = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop();
    const p = table.get(pid);
    if (p) {
      if (p.comm.startsWith("workerd")) {
        workerd += p.ticks;
        workerdPids.push(pid);
      } else other += p.ticks;
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return { workerd, other, workerdPids };
}
