// Row 5 — memory: wasm linear memory and the JS heap after 100k client calls vs after 1k (and 10k),
// with an injected fetch answering a canned JSON envelope, so the run measures the client, not
// the network. GC is forced before each reading. Same call mix as tests/e2e/memory.test.mjs.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import { main, pkgUrl, table, mark, log, PKG } from "./lib.mjs";

const TOTAL = Number(process.env.BENCH_MEMORY_CALLS ?? 100_000);

export async function run() {
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc");
  const { initSync, KlingClient, signToken, parseCallback } = await import(pkgUrl("kling_edge.js"));
  const wasm = initSync({ module: readFileSync(join(PKG, "kling_edge_bg.wasm")) });

  const TASK = { task_id: "7", task_status: "succeed", task_info: { external_task_id: "e" }, task_result: { videos: [{ id: "v", url: "u", duration: "10" }] } };
  const ONE = JSON.stringify({ code: 0, message: "SUCCEED", request_id: "r", data: TASK });
  const PAGE = JSON.stringify({ code: 0, message: "SUCCEED", request_id: "r", data: [TASK, TASK] });
  const CALLBACK = JSON.stringify(TASK);
  let requests = 0;
  const fetch = async (url) => {
    requests++;
    return new Response(url.includes("pageNum") ? PAGE : ONE, { headers: { "content-type": "application/json" } });
  };
  const client = new KlingClient({ accessKey: "ak", secretKey: "sk", baseUrl: "http://kling.test", fetch, maxRetries: 0 });

  async function round() {
    const calls = [
      client.getExtension("7"),
      client.listExtensions({ pageSize: 5 }),
      client.waitForExtension("7", { pollIntervalMs: 1 }),
      client.extendVideo({ video_id: "v", prompt: "p" }),
      client.getExtension("7", { signal: AbortSignal.abort() }).catch(() => {}),
      client.waitForExtension("7", { signal: AbortSignal.abort() }).catch(() => {}),
      client.extendVideo({ video_id: "v", cfg_scale: 9 }).catch(() => {}),
      (async () => {
        for await (const task of client.extensions({ pageSize: 2 })) if (task) break;
      })(),
    ];
    await Promise.all(calls);
    signToken("ak", "sk");
    parseCallback(CALLBACK);
    return calls.length + 2;
  }
  let done = 0;
  const runTo = async (n) => {
    while (done < n) done += await round();
  };
  const measure = () => {
    gc();
    gc();
    const m = process.memoryUsage();
    return { calls: done, requests, wasm: wasm.memory.buffer.byteLength, heap: m.heapUsed, rss: m.rss };
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
      points.map((p) => [`${p.calls.toLocaleString("en-US")} calls`, p.calls.toLocaleString("en-US"), p.requests.toLocaleString("en-US"), `${mib(p.wasm)} (${p.wasm / 65536} pages)`, mib(p.heap), mib(p.rss)]),
    ),
    notes: [
      `One client; each round makes 10 calls: getExtension, listExtensions, waitForExtension (already succeeded), extendVideo, an aborted getExtension, an aborted wait, a refused extendVideo (cfg_scale 9), an iterator stopped after the first task, signToken, parseCallback. ${done.toLocaleString("en-US")} calls took ${seconds.toFixed(1)} s.`,
      "The fetch is injected and answers a canned JSON envelope (`new Response(…)`); the wasm memory is read from the exports `initSync` returns (`pkg/kling_edge.js`); GC forced via `v8.setFlagsFromString('--expose-gc')` + `vm.runInNewContext('gc')` before each reading.",
      `Growth 1k → ${TOTAL / 1000}k: wasm ${wasmGrowth} bytes (linear memory grows in 64 KiB pages and never shrinks), JS heap ${(heapGrowth / 1024).toFixed(1)} KiB (${perCall.toFixed(2)} bytes per call). "Flat" = the e2e test's bar: wasm ≤ one page, heap < 4 MiB.`,
    ],
  };
}

await main(import.meta.url, run);
