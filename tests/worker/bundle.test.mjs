// The Worker is bundled by wrangler's own resolution, and that resolution picks kling-edge's
// `workerd` entry: the bundle imports the .wasm as a module instead of reading or fetching bytes.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { auth, buildBundle, startPair, WORKER_DIR } from "./support.mjs";

test("wrangler bundles the workerd entries: the wasm are imported modules, no file reads", async () => {
  const { script, files, dir } = await buildBundle();
  const wasmFiles = files.filter((f) => f.endsWith(".wasm")).sort();
  // The client's module, and the joiner's (kling-edge/mp4, for GET /chains/:id/video).
  assert.equal(wasmFiles.length, 2, `two .wasm modules next to the bundle, got ${files.join(", ")}`);
  const imports = new Map([...script.matchAll(/^import\s+(\w+)\s+from\s+"\.\/([^"]+\.wasm)";$/gm)].map((m) => [m[2], m[1]]));
  assert.deepEqual([...imports.keys()].sort(), wasmFiles, "the bundle imports each .wasm module");
  for (const [file, name] of imports) {
    assert.match(script, new RegExp(`initSync\\d*\\(\\{\\s*module:\\s*${name}\\s*\\}\\)`), `initSync gets ${file}`);
  }
  assert.match(script, /\/\/ \.\.\/pkg\/index\.workerd\.js/, "the workerd entry file is in the bundle");
  assert.match(script, /\/\/ \.\.\/pkg\/mp4\/index\.workerd\.js/, "the joiner's workerd entry file is in the bundle");
  // The joiner is instantiated on the video route's first use, not at every isolate's start.
  assert.match(script, /var init_index_workerd\d* = __esm\(\{\s*"\.\.\/pkg\/mp4\/index\.workerd\.js"/, "the joiner's entry is lazy");
  assert.doesNotMatch(script, /index\.node\.js|index\.browser\.js/, "no other runtime's entry");
  assert.doesNotMatch(script, /readFileSync|node:fs|import\.meta\.url/, "no file reads or URL-relative loads");
  // The .wasm shipped are the package's, byte for byte.
  for (const [file, original] of [
    [wasmFiles.find((f) => f.endsWith("-kling_edge_bg.wasm")), "kling_edge_bg.wasm"],
    [wasmFiles.find((f) => f.endsWith("-kling_edge_mp4_bg.wasm")), "mp4/kling_edge_mp4_bg.wasm"],
  ]) {
    assert.ok(file, `${original} is bundled`);
    const shipped = await readFile(join(dir, file));
    const pkg = await readFile(join(WORKER_DIR, "node_modules/kling-edge", original));
    assert.ok(shipped.equals(pkg), `the bundled ${original} is the package's`);
  }
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
