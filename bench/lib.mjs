// Shared by the bench rows: paths, statistics, formatting, gzip, and the row runner protocol.
// A row module exports `run()` resolving `{ id, title, summary: [...], table, notes: [...] }`;
// run directly (`node bench/sign.mjs`) it prints its section; under scripts/bench it writes the
// result as JSON to $BENCH_RESULT.
import { writeFileSync, readFileSync } from "node:fs";
import { gzipSync, constants } from "node:zlib";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

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
