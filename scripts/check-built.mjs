#!/usr/bin/env node
// The built package's modules, after wasm-opt, must still instantiate and work: the main module
// signs Kling's known-answer token, and the joiner joins two clips into a file that starts with
// `ftyp` and refuses a mismatched pair as the package's KlingError.
// Usage: node scripts/check-built.mjs <package dir>   (run from the repository's root: it reads sim/media/clips)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// Kling's documented signing vector (tests/e2e/jwt.test.mjs).
const AK = "AXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";
const SK = "SXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";
const SIGNATURE = ".r7Zf1CUgwSM6tSpYVi6jO60Cczu6GavBu2iUn21lrQo";

/** Why the main module (`{ signToken }`) is broken, or null if it signs the known answer. */
export function checkSigning({ signToken }) {
  const token = signToken(AK, SK, { now: 1999998200 });
  return typeof token === "string" && token.endsWith(SIGNATURE) ? null : "the optimised module signs wrongly";
}

/**
 * Why the joiner (`{ join, KlingError }`) is broken, or null if it joins `[a, b]` into a file
 * starting with ftyp and refuses `[a, mismatched]` as a KlingError ERR_KLING_MP4_INCOMPATIBLE of clip 1.
 */
export function checkJoiner({ join, KlingError }, { a, b, mismatched }) {
  const out = join([a, b]);
  if (!(out instanceof Uint8Array) || String.fromCharCode(...out.subarray(4, 8)) !== "ftyp") return "the optimised joiner writes no ftyp";
  try {
    join([a, mismatched]);
  } catch (e) {
    if (e instanceof KlingError && e.code === "ERR_KLING_MP4_INCOMPATIBLE" && e.clip === 1) return null;
    return `the optimised joiner fails wrongly: ${e}`;
  }
  return "the optimised joiner joined mismatched clips";
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dir] = process.argv.slice(2);
  if (!dir) {
    console.error("usage: node scripts/check-built.mjs <package dir>");
    process.exit(2);
  }
  const clip = (name) => readFileSync(`sim/media/clips/${name}`);
  const main = await import(pathToFileURL(join(dir, "index.node.js")).href);
  const mp4 = await import(pathToFileURL(join(dir, "mp4/index.node.js")).href);
  const problem = checkSigning(main) ?? checkJoiner(mp4, { a: clip("a-3s.mp4"), b: clip("b-5s.mp4"), mismatched: clip("x-size.mp4") });
  if (problem) {
    console.error(`build-pkg: ${problem}`);
    process.exit(1);
  }
}
