// Memory stays flat: wasm linear memory and the JS heap after 100k client calls vs after 1k, with
// every kind of call (requests, waits, iterators, aborts, signing, callbacks), and no timer left
// behind. The fetch is injected, so the run measures the client, not the network.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import v8 from "node:v8";
import vm from "node:vm";
import * as kling from "../../pkg/kling_edge.js";
import { workload } from "./workload.mjs";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc");
const wasm = kling.initSync({ module: readFileSync(new URL("../../pkg/kling_edge_bg.wasm", import.meta.url)) });

const { round } = workload(kling);

async function run(totalCalls) {
  let done = 0;
  while (done < totalCalls) done += await round();
  return done;
}

function measure() {
  gc();
  return { wasm: wasm.memory.buffer.byteLength, heap: process.memoryUsage().heapUsed };
}

const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

test("wasm memory and the JS heap stay flat from 1k to 100k client calls; no timer is left", async () => {
  const timersBefore = timers();
  await run(1_000);
  const after1k = measure();
  const started = Date.now();
  const calls = await run(100_000);
  const after100k = measure();
  const mb = (n) => (n / 1048576).toFixed(2);
  const wasmGrowth = after100k.wasm - after1k.wasm;
  const heapGrowth = after100k.heap - after1k.heap;
  console.log(
    `memory: ${calls} calls in ${Date.now() - started} ms; wasm ${mb(after1k.wasm)} → ${mb(after100k.wasm)} MiB, JS heap ${mb(after1k.heap)} → ${mb(after100k.heap)} MiB`,
  );
  // Linear memory grows in 64 KiB pages and never shrinks: a leak of even a few bytes per call
  // would add hundreds of pages over 100k calls. One page of allocator slack is tolerated.
  assert.ok(wasmGrowth <= 65536, `wasm linear memory grew by ${wasmGrowth} bytes`);
  assert.ok(heapGrowth < 4 * 1048576, `the JS heap grew by ${mb(heapGrowth)} MiB`);
  assert.equal(timers(), timersBefore, "every timer was cleared");
});
