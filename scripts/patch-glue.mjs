#!/usr/bin/env node
// wasm-bindgen imports a snippet once per directly imported function (`import * as import1..N` of
// the same file) and repeats its key in the imports object: bundlers warn "Duplicate key" at every
// user's build. One namespace import serves them all: this keeps the first import of each file and
// drops the others and their keys.
// Usage: node scripts/patch-glue.mjs <glue.js> <out.js>
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** `glue` with each file imported once (`import * as importN from "file"`) and its key once. */
export function dedupeImports(glue) {
  const seen = new Map(); // file -> the namespace kept for it
  const out = [];
  for (const line of glue.split("\n")) {
    const ns = line.match(/^import \* as (import\d+) from "(.+)"$/);
    if (ns) {
      if (seen.has(ns[2])) continue;
      seen.set(ns[2], ns[1]);
      out.push(line);
      continue;
    }
    const key = line.match(/^\s+"(.+)": (import\d+),$/);
    if (key && seen.has(key[1]) && seen.get(key[1]) !== key[2]) continue;
    out.push(line);
  }
  return out.join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [src, dst] = process.argv.slice(2);
  if (!src || !dst) {
    console.error("usage: node scripts/patch-glue.mjs <glue.js> <out.js>");
    process.exit(2);
  }
  writeFileSync(dst, dedupeImports(readFileSync(src, "utf8")));
}
