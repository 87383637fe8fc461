// The Worker is bundled by wrangler's own resolution, and that resolution picks kling-edge's
// `workerd` entry: the bundle imports the .wasm as a module instead of reading or fetching bytes.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { auth, buildBundle, startPair, WORKER_DIR } from "./support.mjs";

test("wrangler bundles the workerd entry: the wasm is an imported module, no file reads", async () => {
  const { script, files, dir } = await buildBundle();
  const wasmFiles = files.filter((f) => f.endsWith(".wasm"));
  assert.equal(wasmFiles.length, 1, `one .wasm module next to the bundle, got ${files.join(", ")}`);
  const importRe = /^import\s+(\w+)\s+from\s+"\.\/([^"]+\.wasm)";$/m;
  const m = importRe.exec(script);
  assert.ok(m, "the bundle imports the .wasm module");
  assert.equal(m[2], wasmFiles[0]);
  assert.match(script, new RegExp(`initSync\\(\\{\\s*module:\\s*${m[1]}\\s*\\}\\)`), "initSync gets the imported module");
  assert.match(script, /\/\/ \.\.\/pkg\/index\.workerd\.js/, "the workerd entry file is in the bundle");
  assert.doesNotMatch(script, /index\.node\.js|index\.browser\.js/, "no other runtime's entry");
  assert.doesNotMatch(script, /readFileSync|node:fs|import\.meta\.url/, "no file reads or URL-relative loads");
  // The .wasm shipped is the package's, byte for byte.
  const shipped = await readFile(join(dir, wasmFiles[0]));
  const pkg = await readFile(join(WORKER_DIR, "node_modules/kling-edge/kling_edge_bg.wasm"));
  assert.ok(shipped.equals(pkg), "the bundled .wasm is the package's");
});

test("the bundle runs in workerd (Miniflare): health without a session, JSON 404s with one", async (t) => {
  const { url } = await startPair(t);
  const health = await fetch(`${url}/health`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { ok: true });
  const response = await fetch(`${url}/nope`, { headers: await auth() });
  assert.equal(response.status, 404);
  assert.deepEqual((await response.json()).error.code, "ERR_NOT_FOUND");
  const record = await fetch(`${url}/extensions/123`, { headers: await auth() });
  assert.equal(record.status, 404);
});
