#!/usr/bin/env node
/**
 * The architecture test of `npm test`: reads every import under src/ with dependency-cruiser,
 * checks it against the rules in .dependency-cruiser.mjs (the layer order of ARCHITECTURE.md,
 * module and folder cycles) and checks that every module belongs to a layer.
 *
 * It runs in Node, not in vitest: the tests run inside workerd, which has no file system.
 *
 * scripts/architecture-baseline.txt lists the violations known when the rules were written, one
 * per line. The check fails on a violation that is not listed there, and on a listed one that no
 * longer occurs, so the list can only shrink: when a fix lands, delete its lines.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { cruise } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import extractTSConfig from "dependency-cruiser/config-utl/extract-ts-config";
import { LAYERS } from "../.dependency-cruiser.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
process.chdir(root);

const BASELINE = "scripts/architecture-baseline.txt";
const UNLAYERED = "every-module-has-a-layer";

const options = await extractDepcruiseOptions("./.dependency-cruiser.mjs");
const { output } = await cruise(["src"], { ...options, validate: true }, {}, { tsConfig: extractTSConfig("tsconfig.json") });

/** @type {Map<string, { rule: string, text: string }>} each violation under its baseline key */
const found = new Map();
const comments = new Map((options.ruleSet?.forbidden ?? []).map((r) => [r.name, r.comment ?? ""]));

/** The index in LAYERS of a module or folder (`src/oauth`), or -1 outside every layer. */
const layerOf = (path) => LAYERS.findIndex((l) => new RegExp(l.path).test(path) || new RegExp(l.path).test(`${path}/`));

/** Cycles that pass through more than one layer: each closes through an upward import. */
const crossLayerCycles = [];

for (const v of output.summary.violations) {
  const key = `${v.rule.name}: ${v.from} → ${v.to}`;
  const members = v.cycle?.map((c) => c.name) ?? [];
  const cycle = members.length ? `\n      cycle: ${[v.from, ...members].join(" → ")}` : "";
  const via = v.via?.length ? `\n      via: ${[v.from, ...v.via.map((c) => c.name)].join(" → ")}` : "";
  // A cycle through two layers holds an upward import, which `layer-order` reports by itself;
  // counting each of its arrows too would let a new, rightly downward import turn an old
  // violation into a "new" one. So only cycles inside one layer count here.
  if (members.length && new Set([v.from, ...members].map(layerOf)).size > 1) {
    crossLayerCycles.push(key);
    continue;
  }
  found.set(key, { rule: v.rule.name, text: `${v.from} → ${v.to}${cycle}${via}` });
}

// A module outside every layer would escape every rule: each one must be placed.
const sources = output.modules.map((m) => m.source).filter((s) => s.startsWith("src/") && !s.endsWith(".d.ts"));
comments.set(UNLAYERED, "a module under src/ that no layer holds: place it in LAYERS and ARCHITECTURE.md");
for (const source of sources) {
  if (!LAYERS.some((l) => new RegExp(l.path).test(source))) {
    found.set(`${UNLAYERED}: ${source}`, { rule: UNLAYERED, text: source });
  }
}
// A layer whose pattern matches nothing has been renamed or moved without its rule.
const emptyLayers = LAYERS.filter((l) => !sources.some((s) => new RegExp(l.path).test(s)));

const baseline = new Set(
  (await readFile(BASELINE, "utf8"))
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#")),
);

const added = [...found].filter(([key]) => !baseline.has(key));
const gone = [...baseline].filter((key) => !found.has(key));

/** Prints violations grouped by rule, each rule with the reason it exists. */
function print(entries) {
  const byRule = Map.groupBy(entries, ([, v]) => v.rule);
  for (const [rule, list] of byRule) {
    console.error(`\n  ${rule}: ${comments.get(rule) ?? ""}`);
    for (const [, v] of list) console.error(`    ${v.text}`);
  }
}

let failed = false;
if (sources.length === 0 || emptyLayers.length > 0) {
  failed = true;
  console.error(
    `architecture: no module found for layer(s) ${emptyLayers.map((l) => `${l.name} (${l.path})`).join(", ")}; ` +
      "update LAYERS in .dependency-cruiser.mjs and ARCHITECTURE.md",
  );
}
if (added.length > 0) {
  failed = true;
  console.error(`architecture: ${added.length} forbidden import(s) (ARCHITECTURE.md says where things go):`);
  print(added);
}
if (gone.length > 0) {
  failed = true;
  console.error(`\narchitecture: ${gone.length} known violation(s) no longer occur; delete these lines from ${BASELINE}:`);
  for (const key of gone) console.error(`    ${key}`);
}
if (process.argv.includes("--list")) {
  console.log(`architecture: all ${found.size} current violation(s):`);
  for (const key of [...found.keys()].sort()) console.log(`  ${key}`);
  console.log(`and ${crossLayerCycles.length} arrow(s) in cycles through several layers (closed by the upward imports above):`);
  for (const key of crossLayerCycles.sort()) console.log(`  ${key}`);
}
if (failed) process.exit(1);

const known = found.size > 0 ? `; ${found.size} known violation(s) left in ${BASELINE}` : "";
console.log(`architecture: ${sources.length} modules, ${output.summary.totalDependenciesCruised} imports checked${known}`);
