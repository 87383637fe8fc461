// scripts/bench: every row (or `--only a,b`), each in its own Node process, one after another;
// then one summary table + the sections, printed and (for a full run) written to bench/RESULTS.md.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BENCH, machine, PKG, pkgBuilt, section, TMP, table } from "./lib.mjs";

const ROWS = ["sign", "overhead", "cold", "size", "memory", "poll", "chain", "join"];
const { values } = parseArgs({ options: { only: { type: "string" }, write: { type: "boolean" }, help: { type: "boolean", short: "h" } } });
if (values.help) {
  console.log(
    `usage: scripts/bench [--only ${ROWS.join(",")}] [--write]\n  --only  run these rows only (printed; RESULTS.md is written only by a full run, or with --write)`,
  );
  process.exit(0);
}
const only = values.only
  ? values.only
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
  : ROWS;
for (const r of only) if (!ROWS.includes(r)) throw new Error(`unknown row "${r}": one of ${ROWS.join(", ")}`);
if (!pkgBuilt()) {
  console.error("bench: pkg/ is not built (no pkg/kling_edge_bg.wasm): run `make build` first");
  process.exit(2);
}

const pkgFingerprint = () => {
  const wasm = readFileSync(join(PKG, "kling_edge_bg.wasm"));
  const glue = readFileSync(join(PKG, "kling_edge.js"));
  return {
    hash: createHash("sha256").update(wasm).update(glue).digest("hex").slice(0, 12),
    wasmBytes: wasm.length,
    built: statSync(join(PKG, "kling_edge_bg.wasm"))
      .mtime.toISOString()
      .replace(/\.\d+Z$/, "Z"),
  };
};

function runRow(id) {
  const out = join(TMP, `result-${id}.json`);
  rmSync(out, { force: true });
  return new Promise((resolve) => {
    const t0 = Date.now();
    process.stderr.write(`[bench] ${id} …\n`);
    const child = spawn(process.execPath, [join(BENCH, `${id}.mjs`)], {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, BENCH_RESULT: out },
    });
    child.once("exit", (code) => {
      const seconds = (Date.now() - t0) / 1000;
      process.stderr.write(`[bench] ${id} done in ${seconds.toFixed(1)} s\n`);
      try {
        if (code !== 0) throw new Error(`exited with ${code}`);
        resolve({ ...JSON.parse(readFileSync(out, "utf8")), seconds });
      } catch (e) {
        resolve({
          id,
          failed: true,
          title: `${id}: FAILED`,
          summary: [{ row: id, value: `failed: ${e.message}`, against: "", goal: "", ok: false }],
          table: "",
          notes: [`the row failed (${e.message}); see the output above`],
          seconds,
        });
      }
    });
  });
}

mkdirSync(TMP, { recursive: true });
const started = Date.now();
const m = machine();
const before = pkgFingerprint();
const results = [];
for (const id of only) results.push(await runRow(id));
const after = pkgFingerprint();
const totalSeconds = (Date.now() - started) / 1000;

const okMark = (ok) => (ok === null || ok === undefined ? "—" : ok ? "✓" : "✗");
const summary = table(
  ["row", "kling-edge", "compared with", "goal (issues 6, 12; 8: the join's)", "met"],
  results.flatMap((r) => r.summary.map((s) => [s.row, s.value, s.against, s.goal, okMark(s.ok)])),
);
const pkgLine =
  before.hash === after.hash
    ? `pkg/ measured: \`kling_edge_bg.wasm\` ${before.wasmBytes.toLocaleString("en-US")} bytes, built ${before.built}, fingerprint ${before.hash} (sha256 of .wasm + glue, unchanged during the run).`
    : `**pkg/ changed during the run** (${before.hash}, ${before.wasmBytes} bytes → ${after.hash}, ${after.wasmBytes} bytes): rows may have measured different builds; run again.`;
const doc = [
  "# kling-edge benchmark",
  "",
  `One run of \`scripts/bench${values.only ? ` --only ${only.join(",")}` : ""}\` (${totalSeconds.toFixed(0)} s; rows: ${results.map((r) => `${r.id} ${r.seconds.toFixed(0)} s`).join(", ")}). Every row compares side by side in the same run on this machine; what each measures: [README.md](README.md).`,
  "",
  "**Machine.** " +
    [
      `CPU ${m.cpu}`,
      `${m.cores} cores`,
      `${m.memory} RAM`,
      m.os,
      `Node ${m.node}`,
      m.deno,
      m.workerd,
      `esbuild ${m.esbuild}`,
      `git ${m.commit}`,
      m.date,
      `load average at start ${m.load} (1/5/15 min)`,
    ].join(" · "),
  "",
  pkgLine,
  "",
  "## Summary",
  "",
  summary,
  "",
  ...results.map(section),
].join("\n");

console.log(`\n${doc}`);
if (!values.only || values.write) {
  writeFileSync(join(BENCH, "RESULTS.md"), doc);
  process.stderr.write(`[bench] written: bench/RESULTS.md\n`);
}
process.exitCode = results.some((r) => r.failed) ? 1 : 0;
