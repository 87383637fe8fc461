// Shared by the bench rows: paths, statistics, formatting, gzip, and the row runner protocol.
// A row module exports `run()` resolving `{ id, title, summary: [...], table, notes: [...] }`;
// run directly (`node bench/sign.mjs`) it prints its section; under scripts/bench it writes the
// result as JSON to $BENCH_RESULT.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { constants, gzipSync } from "node:zlib";

export const BENCH = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(BENCH, "..");
export const PKG = join(ROOT, "pkg");
export const TMP = join(BENCH, ".tmp");
export const pkgUrl = (file) => pathToFileURL(join(PKG, file)).href;

export const median = (xs) => quantile(xs, 0.5);
/** Nearest-rank quantile of unsorted numbers. */
export function quantile(xs, q) {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  const rank = Math.ceil(q * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))];
}

// The features rustc 1.95 enables for wasm32, as in scripts/build-pkg: without them wasm-opt
// rejects or miscompiles the module.
export const WASM_OPT_FEATURES = [
  "--enable-bulk-memory",
  "--enable-bulk-memory-opt",
  "--enable-nontrapping-float-to-int",
  "--enable-sign-ext",
  "--enable-reference-types",
  "--enable-multivalue",
  "--enable-mutable-globals",
];
export const gzipLen = (buf) => gzipSync(buf, { level: constants.Z_BEST_COMPRESSION }).length;
export const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
export const ms = (x, d = 2) => `${x.toFixed(d)} ms`;
export const us = (x, d = 2) => `${x.toFixed(d)} µs`;
export const pct = (x, d = 1) => `${x >= 0 ? "+" : ""}${x.toFixed(d)} %`;
export const mark = (ok) => (ok ? "✓" : "✗");
export const nowNs = () => process.hrtime.bigint();
export const sinceMs = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

/** Markdown table from a header row and rows of cells. */
export function table(head, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

export function log(...args) {
  process.stderr.write(`[bench] ${args.join(" ")}\n`);
}

export function pkgBuilt() {
  try {
    readFileSync(join(PKG, "kling_edge_bg.wasm"));
    return true;
  } catch {
    return false;
  }
}

/** Runs a row's `run()` and prints it, or hands it to scripts/bench through $BENCH_RESULT. */
export async function main(metaUrl, run) {
  if (process.argv[1] !== fileURLToPath(metaUrl)) return;
  const result = await run();
  if (process.env.BENCH_RESULT) writeFileSync(process.env.BENCH_RESULT, JSON.stringify(result));
  else console.log(section(result));
}

export function section(r) {
  return [`## ${r.title}`, "", r.table, "", ...r.notes.map((n) => `- ${n}`), ""].join("\n");
}

/** A command's trimmed stdout, or "?" if it fails (the machine description must not stop a run). */
export const sh = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "?";
  }
};
export const version = (name) => {
  try {
    return JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")).version;
  } catch {
    return "?";
  }
};

/** The machine a run measured: CPU, cores, memory, OS, runtimes, git commit, date, load. */
export function machine() {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const model = cpuinfo.match(/^model name\s*:\s*(.+)$/m)?.[1] ?? os.cpus()[0]?.model ?? "?";
  const dirty = sh("git", ["status", "--porcelain", "--", "src", "pkg-template", "Cargo.toml", "Cargo.lock"]);
  return {
    cpu: model,
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${sh("sh", ["-c", ". /etc/os-release && echo $PRETTY_NAME"])}, Linux ${os.release()}`,
    node: process.version,
    deno: sh(join(ROOT, "node_modules/.bin/deno"), ["--version"]).split("\n")[0],
    workerd: `workerd ${version("workerd")} (Miniflare ${version("miniflare")}, wrangler ${version("wrangler")})`,
    esbuild: version("esbuild"),
    commit: `${sh("git", ["rev-parse", "--short", "HEAD"])}${dirty && dirty !== "?" ? " + uncommitted changes in src/pkg-template/Cargo" : ""}`,
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    load: os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(" / "),
  };
}
