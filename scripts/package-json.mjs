#!/usr/bin/env node
// Writes the published package.json: pkg-template/package.json with the crate's version.
// Usage: node scripts/package-json.mjs <package.json template> <Cargo.toml> <out>
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The `version = "…"` of the first such line of a Cargo.toml (the package's own). */
export function crateVersion(toml) {
  const version = toml.match(/^version = "([^"]+)"$/m)?.[1];
  if (version === undefined) throw new Error('Cargo.toml has no `version = "…"` line');
  return version;
}

/** The package.json text of `template` (JSON text) with `version`, two-space indented. */
export function withVersion(template, version) {
  const p = JSON.parse(template);
  p.version = version;
  return `${JSON.stringify(p, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [template, toml, out] = process.argv.slice(2);
  if (!template || !toml || !out) {
    console.error("usage: node scripts/package-json.mjs <package.json template> <Cargo.toml> <out>");
    process.exit(2);
  }
  try {
    writeFileSync(out, withVersion(readFileSync(template, "utf8"), crateVersion(readFileSync(toml, "utf8"))));
  } catch (e) {
    console.error(`package-json: ${e.message}`);
    process.exit(1);
  }
}
