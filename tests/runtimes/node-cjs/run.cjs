// Node, CommonJS consumer: `require("kling-edge")`. The package's node entry is ESM without
// top-level await, so this relies on require(esm) (unflagged in Node 20.19+ and 22.12+).
"use strict";
const assert = require("node:assert/strict");
const { writeFileSync } = require("node:fs");

const warnings = [];
process.on("warning", (w) => warnings.push(`${w.name}: ${w.message}`));

let kling;
let loadError;
try {
  kling = require("kling-edge");
} catch (e) {
  loadError = e;
}

(async () => {
  const record = { version: `Node ${process.version}`, notes: [] };
  if (loadError) {
    const error = `require("kling-edge") threw ${loadError.code || loadError.name}: ${loadError.message}`;
    record.checks = { init: { ok: false, error } };
    record.ok = false;
  } else {
    const { smoke } = await import("./smoke.mjs");
    const { KlingClient, KlingError, signToken, init } = kling; // the destructuring users write
    Object.assign(record, await smoke({ KlingClient, KlingError, signToken, init }, { simUrl: process.env.SIM_URL }));
    record.notes.push(`entry: ${require.resolve("kling-edge").split("/node_modules/")[1]}`);
  }
  // Let queued 'warning' events fire before reporting them.
  await new Promise((r) => setImmediate(r));
  record.notes.push(warnings.length ? `warnings: ${warnings.join(" | ")}` : "require(esm): no warning");
  // Shown in the README table's result column.
  record.headline = warnings.length ? `require(esm) warned: ${warnings.join(" | ")}` : "require(esm) of the ESM entry, no warning";
  writeFileSync(process.env.RESULT_FILE, JSON.stringify(record, null, 2));
  for (const [name, c] of Object.entries(record.checks)) assert.ok(c.ok, `${name}: ${c.error}`);
})().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
