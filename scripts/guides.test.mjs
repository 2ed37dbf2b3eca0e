// The guides (docs/guides/*.md) show only code the tests run and commands that exist:
// - a fenced block preceded by `<!-- example: PATH -->` must equal that file (without its
//   `#region` marker lines), and by `<!-- example: PATH#NAME -->` the file's region NAME (the
//   lines between `#region NAME` and `#endregion`, dedented); the files are the examples that
//   test/examples/*.test.ts and e2e/guides.mjs run;
// - every other block is a shell block (sh) or plain text; in shell blocks each `npm run X` is a
//   package.json script, each `npm run admin -- …` a command of scripts/admin.js with options
//   its --help lists, each `-c`/`--config` file and each `node FILE` exists;
// - relative links resolve, and the index (docs/guides/README.md) links every guide.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const guidesDir = join(root, "docs", "guides");
const guides = readdirSync(guidesDir).filter((f) => f.endsWith(".md"));
const SHELL = new Set(["sh", "text"]);
const REGION = /^\s*(?:\/\/|#|<!--)\s*#(region|endregion)\b\s*([\w-]*)/;

/** The fenced blocks of a guide: language, text, the example marker before it, line number. */
export function fencedBlocks(markdown) {
  const lines = markdown.split("\n");
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const end = lines.indexOf("```", i + 1);
    assert.ok(end > i, `unclosed code block at line ${i + 1}`);
    let before = i - 1;
    while (before >= 0 && lines[before].trim() === "") before--;
    const marker = /^<!-- example: (\S+?)(?:#([\w-]+))? -->$/.exec(lines[before] ?? "");
    blocks.push({
      lang: open[1],
      text: lines.slice(i + 1, end).join("\n"),
      line: i + 1,
      ...(marker ? { file: marker[1], region: marker[2] } : {}),
    });
    i = end;
  }
  return blocks;
}

/** A file's text without region markers, or one region of it, dedented. */
export function exampleText(source, region) {
  const lines = source.replace(/\n$/, "").split("\n");
  if (region === undefined) return lines.filter((l) => !REGION.test(l)).join("\n");
  const start = lines.findIndex((l) => REGION.exec(l)?.[1] === "region" && REGION.exec(l)[2] === region);
  assert.ok(start >= 0, `no #region ${region}`);
  const end = lines.findIndex((l, i) => i > start && REGION.exec(l)?.[1] === "endregion");
  assert.ok(end > start, `no #endregion after #region ${region}`);
  const body = lines.slice(start + 1, end);
  const indent = Math.min(...body.filter((l) => l.trim()).map((l) => /^ */.exec(l)[0].length));
  return body.map((l) => l.slice(indent)).join("\n");
}

/** Shell commands of a block: continuation lines joined, comments dropped, words split. */
function shellCommands(text) {
  return text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.replace(/(^|\s)#.*$/, "").trim())
    .filter(Boolean)
    .map((l) => [...l.matchAll(/'[^']*'|"[^"]*"|\S+/g)].map((m) => m[0].replace(/^(['"])(.*)\1$/, "$2")))
    // Leading VAR=value assignments.
    .map((words) => words.slice(words.findIndex((w) => !/^[A-Z_]+=/.test(w))));
}

const scripts = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts;
const admin = (...args) => execFileSync(process.execPath, [join(root, "scripts", "admin.js"), ...args], { encoding: "utf8" });
const adminCommands = [...admin("help").matchAll(/^ {2}([a-z]+(?: [a-z]+)?)(?= |$)/gm)].map((m) => m[1]);
const GLOBAL = { "--url": 1, "--token": 1, "--json": 0, "--table": 0 };

function checkAdminCommand(args, where) {
  let i = 0;
  while (args[i] in GLOBAL) i += 1 + GLOBAL[args[i]];
  const command = adminCommands.find((c) => args.slice(i).join(" ").startsWith(c));
  assert.ok(command, `${where}: npm run admin -- ${args.join(" ")}: no such command`);
  const help = admin(...command.split(" "), "--help");
  for (const flag of args.filter((a) => a.startsWith("--"))) {
    assert.ok(new RegExp(`${flag}\\b`).test(help), `${where}: ${command} takes no ${flag}`);
  }
}

for (const guide of guides) {
  const path = join(guidesDir, guide);
  const markdown = readFileSync(path, "utf8");

  test(`docs/guides/${guide}: each code block is an example file or region, verbatim`, () => {
    for (const block of fencedBlocks(markdown)) {
      const where = `${guide}:${block.line}`;
      if (block.file === undefined) {
        assert.ok(SHELL.has(block.lang), `${where}: a ${block.lang || "plain"} block needs <!-- example: PATH -->`);
        continue;
      }
      const file = join(root, block.file);
      assert.ok(existsSync(file), `${where}: ${block.file} does not exist`);
      assert.equal(block.text, exampleText(readFileSync(file, "utf8"), block.region), `${where}: differs from ${block.file}`);
    }
  });

  test(`docs/guides/${guide}: shell commands use the project's real scripts, commands and files`, () => {
    for (const block of fencedBlocks(markdown).filter((b) => b.lang === "sh")) {
      for (const words of shellCommands(block.text)) {
        const where = `${guide}:${block.line} "${words.join(" ")}"`;
        if (words[0] === "npm" && words[1] === "run") {
          assert.ok(words[2] in scripts, `${where}: no npm script ${words[2]}`);
          if (words[2] === "admin") checkAdminCommand(words.slice(words.indexOf("--") + 1), where);
        }
        for (const [i, w] of words.entries()) {
          if (["-c", "--config"].includes(w)) assert.ok(existsSync(join(root, words[i + 1])), `${where}: no ${words[i + 1]}`);
        }
        if (words[0] === "node") assert.ok(existsSync(join(root, words[1])), `${where}: no ${words[1]}`);
      }
    }
  });

  test(`docs/guides/${guide}: relative links resolve`, () => {
    for (const [, target] of markdown.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target) || target.startsWith("#")) continue;
      const file = resolve(guidesDir, target.split("#")[0]);
      assert.ok(existsSync(file), `${guide}: broken link ${target}`);
    }
  });
}

test("docs/guides/README.md links every guide", () => {
  const index = readFileSync(join(guidesDir, "README.md"), "utf8");
  for (const guide of guides.filter((g) => g !== "README.md")) {
    assert.ok(index.includes(`](${guide})`), `README.md does not link ${guide}`);
  }
});

test("the checks catch a changed example, a wrong admin option and a block without its source", () => {
  assert.equal(exampleText("a\n  // #region r\n  x();\n  // #endregion\nb\n", "r"), "x();");
  assert.equal(exampleText("a\n// #region r\nx\n// #endregion\n"), "a\nx");
  const [marked, bare] = fencedBlocks("<!-- example: f.ts#r -->\n```ts\nx\n```\n\n```js\ny\n```\n");
  assert.deepEqual(marked, { lang: "ts", text: "x", line: 2, file: "f.ts", region: "r" });
  assert.equal(bare.file, undefined);
  assert.throws(() => checkAdminCommand(["clients", "add", "--frobnicate"], "t"), /takes no --frobnicate/);
  assert.throws(() => checkAdminCommand(["clients", "explode"], "t"), /no such command/);
  checkAdminCommand(["--url", "http://x", "clients", "add", "--grant-types", "client_credentials"], "t");
});
