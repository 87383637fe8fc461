// Gathers the per-runtime records of one run into <out>/results.json and prints one line per
// runtime. A runtime whose record is missing (it crashed, hung or never installed) or whose
// process exited non-zero fails, with the tail of its log as the reason.
//
//   node tests/runtimes/shared/collect.mjs <out dir> <tarball name> <runtime>...
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const RUNTIMES = {
  "node-esm": { label: "Node, ESM `import`", browser: false },
  "node-cjs": { label: "Node, CommonJS `require`", browser: false },
  deno: { label: "Deno (`deno test`)", browser: false },
  bun: { label: "Bun (`bun test`)", browser: false },
  workerd: { label: "Cloudflare Workers (wrangler bundle in workerd/Miniflare)", browser: false },
  "browser-plain": { label: 'Chromium, plain `<script type="module">` + import map', browser: true },
  "browser-vite": { label: "Chromium, Vite build", browser: true },
  "webpack-node": { label: 'webpack 5 server bundle (`target: "node"`, production; Next.js-style) in Node', browser: false },
  "webpack-browser": { label: "Chromium, webpack 5 build (production)", browser: true },
};
const BASE_CHECKS = ["init", "sign", "extend", "error"];

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
}

/** The first error-looking line of a log, then its last line: enough to say why. */
function logTail(path) {
  if (!existsSync(path)) return "(no log)";
  const lines = readFileSync(path, "utf8")
    // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes, which start with ESC
    .replace(/\x1b\[[0-9;]*m/g, "")
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  if (!lines.length) return "(empty log)";
  const first = lines.find((l) => /(error|Error|ERR_|failed|✘)/.test(l) && !/^at /.test(l));
  const last = lines.at(-1);
  return (first && first !== last ? `${first} … ${last}` : last).slice(0, 400);
}

function collectOne(out, name) {
  const meta = RUNTIMES[name] ?? { label: name, browser: false };
  const required = meta.browser ? [...BASE_CHECKS, "browserKeys"] : BASE_CHECKS;
  const rec = readJson(join(out, "results", `${name}.json`));
  const exitText = existsSync(join(out, "results", `${name}.exit`))
    ? readFileSync(join(out, "results", `${name}.exit`), "utf8").trim()
    : "";
  const exitCode = exitText === "" ? null : Number(exitText);
  const ms = readJson(join(out, "results", `${name}.ms.json`)) ?? null;
  const log = join(out, "results", `${name}.log`);
  const checks = {};
  let reason = rec ? undefined : `no result record: ${logTail(log)}`;
  for (const c of required) {
    checks[c] = rec?.checks?.[c] ?? { ok: false, error: reason ?? "not run" };
  }
  const failed = required.filter((c) => !checks[c].ok);
  if (!reason && failed.length) reason = failed.map((c) => `${c}: ${checks[c].error}`).join("; ");
  if (!reason && exitCode !== 0) reason = `exited ${exitCode ?? "without a status"}: ${logTail(log)}`;
  const notes = [...(rec?.notes ?? [])];
  // Warnings the runtime printed (e.g. an ExperimentalWarning for require(esm)).
  if (existsSync(log)) {
    for (const line of readFileSync(log, "utf8").split("\n")) {
      if (/\bWarning\b/.test(line) && !notes.includes(line.trim())) notes.push(`log: ${line.trim()}`);
    }
  }
  return {
    runtime: name,
    label: meta.label,
    browser: meta.browser,
    version: rec?.version || "?",
    headline: rec?.headline,
    ok: !reason,
    reason,
    checks,
    exitCode,
    ms,
    notes,
  };
}

const [out, tarball, ...names] = process.argv.slice(2);
const runtimes = names.map((n) => collectOne(out, n));
const results = {
  generatedAt: new Date().toISOString(),
  package: tarball,
  ok: runtimes.length > 0 && runtimes.every((r) => r.ok),
  runtimes,
};
writeFileSync(join(out, "results.json"), `${JSON.stringify(results, null, 2)}\n`);

const width = Math.max(...names.map((n) => n.length));
for (const r of runtimes) {
  const marks = Object.entries(r.checks)
    .map(([c, v]) => `${c} ${v.ok ? "✓" : "✗"}`)
    .join("  ");
  const secs = r.ms == null ? "" : ` (${(r.ms / 1000).toFixed(1)}s)`;
  const line = `${r.ok ? "PASS" : "FAIL"}  ${r.runtime.padEnd(width)}  ${r.version}  ${marks}${secs}`;
  console.log(r.ok ? line : `${line}\n      ↳ ${r.reason}`);
}
process.exitCode = results.ok ? 0 : 1;
