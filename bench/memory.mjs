// Row 5 — memory: wasm linear memory and the JS heap after 100k client calls vs after 1k (and 10k),
// with an injected fetch answering a canned JSON envelope, so the run measures the client, not
// the network. GC is forced before each reading. The call mix is tests/e2e/workload.mjs, shared with the memory test.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import { workload } from "../tests/e2e/workload.mjs";
import { log, main, PKG, pkgUrl, table } from "./lib.mjs";

const TOTAL = Number(process.env.BENCH_MEMORY_CALLS ?? 100_000);

export async function run() {
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc");
  const { initSync, KlingClient, signToken, parseCallback } = await import(pkgUrl("kling_edge.js"));
  const wasm = initSync({ module: readFileSync(join(PKG, "kling_edge_bg.wasm")) });

  const { round, requests: requestCount } = workload({ KlingClient, signToken, parseCallback });
  let done = 0;
  const runTo = async (n) => {
    while (done < n) done += await round();
  };
  const measure = () => {
    gc();
    gc();
    const m = process.memoryUsage();
    return { calls: done, requests: requestCount(), wasm: wasm.memory.buffer.byteLength, heap: m.heapUsed, rss: m.rss };
  };
  const t0 = Date.now();
  await runTo(1_000);
  const points = [measure()];
  await runTo(10_000);
  points.push(measure());
  await runTo(TOTAL);
  points.push(measure());
  const seconds = (Date.now() - t0) / 1000;
  log(`memory: ${done} calls in ${seconds.toFixed(1)} s`);

  const [a, , z] = points;
  const mib = (n) => `${(n / 1048576).toFixed(2)} MiB`;
  const wasmGrowth = z.wasm - a.wasm;
  const heapGrowth = z.heap - a.heap;
  const perCall = heapGrowth / (z.calls - a.calls);
  const flat = wasmGrowth <= 65536 && heapGrowth < 4 * 1048576;
  return {
    id: "memory",
    title: "5. Memory (100k client calls vs 1k)",
    summary: [
      {
        row: "5. Memory, 1k → 100k calls",
        value: `wasm ${mib(a.wasm)} → ${mib(z.wasm)}; JS heap ${mib(a.heap)} → ${mib(z.heap)}`,
        against: `${wasmGrowth >= 0 ? "+" : ""}${wasmGrowth} B wasm, ${heapGrowth >= 0 ? "+" : ""}${(heapGrowth / 1024).toFixed(0)} KiB heap`,
        goal: "flat (wasm ≤ +64 KiB, heap < +4 MiB)",
        ok: flat,
      },
    ],
    table: table(
      ["after", "client calls", "HTTP requests (injected fetch)", "wasm linear memory", "JS heap used (after GC)", "RSS"],
      points.map((p) => [
        `${p.calls.toLocaleString("en-US")} calls`,
        p.calls.toLocaleString("en-US"),
        p.requests.toLocaleString("en-US"),
        `${mib(p.wasm)} (${p.wasm / 65536} pages)`,
        mib(p.heap),
        mib(p.rss),
      ]),
    ),
    notes: [
      `One client; each round makes 10 calls: extensions.get, extensions.list, extensions.wait (already succeeded), extensions.create, an aborted extensions.get, an aborted wait, a refused extensions.create (cfg_scale 9), an iterator stopped after the first task, signToken, parseCallback. ${done.toLocaleString("en-US")} calls took ${seconds.toFixed(1)} s.`,
      "The fetch is injected and answers a canned JSON envelope (`new Response(…)`); the wasm memory is read from the exports `initSync` returns (`pkg/kling_edge.js`); GC forced via `v8.setFlagsFromString('--expose-gc')` + `vm.runInNewContext('gc')` before each reading.",
      `Growth 1k → ${TOTAL / 1000}k: wasm ${wasmGrowth} bytes (linear memory grows in 64 KiB pages and never shrinks), JS heap ${(heapGrowth / 1024).toFixed(1)} KiB (${perCall.toFixed(2)} bytes per call). "Flat" = the e2e test's bar: wasm ≤ one page, heap < 4 MiB.`,
    ],
  };
}

await main(import.meta.url, run);
