// Where one `extensions.get` spends its time, without a network and without undici: a response
// object with no stream behind it answers both the client and a raw `JSON.parse` of the same body,
// so what differs is the client's own work. Prints µs per call for both, the calls into JS one
// `get` makes (counted on a copy of pkg/ whose glue counts its imports), and a CPU profile's
// self time by where the code lives (the wasm, wasm-bindgen's glue, the JS host, Node).
//   node bench/call-profile.mjs      (after `make build`; diagnostic, not a goal)
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { median, PKG, pkgBuilt, TMP } from "./lib.mjs";

if (!pkgBuilt()) {
  console.error("call-profile: pkg/ is missing: run `make build` first");
  process.exit(2);
}
const dir = join(TMP, "call-profile");
rmSync(dir, { recursive: true, force: true });
cpSync(PKG, dir, { recursive: true });
const gluePath = join(dir, "kling_edge.js");
const glue = readFileSync(gluePath, "utf8");
const hook = "const imports = __wbg_get_imports();";
if (!glue.includes(hook)) throw new Error(`call-profile: the glue no longer has \`${hook}\``);
writeFileSync(gluePath, glue.replaceAll(hook, "const imports = globalThis.__countImports(__wbg_get_imports());"));

const counts = new Map();
globalThis.__countImports = (imports) => {
  for (const ns of Object.keys(imports)) {
    const table = { ...imports[ns] };
    for (const [name, f] of Object.entries(table)) {
      if (typeof f !== "function") continue;
      const short = name.replace(/^__wbg_|_[0-9a-f]{16}$/g, "");
      table[name] = function (...args) {
        counts.set(short, (counts.get(short) ?? 0) + 1);
        return f.apply(this, args);
      };
    }
    imports[ns] = table;
  }
  return imports;
};
// Timed and profiled: pkg/ as shipped. Counted: the copy.
const { KlingClient } = await import(pathToFileURL(join(PKG, "index.node.js")).href);
const { KlingClient: CountingClient } = await import(pathToFileURL(join(dir, "index.node.js")).href);

const BODY = JSON.stringify({
  code: 0,
  message: "SUCCEED",
  request_id: "req-1",
  data: {
    task_id: "812345678901234567",
    task_status: "succeed",
    task_status_msg: "",
    task_info: { external_task_id: "x", parent_video: { id: "v1", url: "https://x.test/y.mp4", duration: "5" } },
    task_result: { videos: [{ id: "v2", url: "https://x.test/z.mp4", duration: "10.1" }] },
    created_at: 1,
    updated_at: 2,
  },
});
const bytes = new TextEncoder().encode(BODY);
const headers = { "content-type": "application/json", "x-request-id": "r", "content-length": String(bytes.length) };
const answer = { status: 200, headers: { get: (n) => headers[n] ?? null }, body: {}, arrayBuffer: async () => bytes.buffer.slice(0) };
const fetch = async () => answer;
const options = { accessKey: "ak-profile", secretKey: "sk-profile", baseUrl: "http://127.0.0.1:9", fetch };
const kling = new KlingClient(options);
const counting = new CountingClient(options);
const ID = "812345678901234567";
const get = () => kling.extensions.get(ID);
const raw = async () => {
  const envelope = JSON.parse(new TextDecoder().decode(await (await fetch()).arrayBuffer()));
  if (envelope.code !== 0) throw new Error("raw");
  return envelope.data;
};
const batch = async (fn, n) => {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn();
  return Number(process.hrtime.bigint() - t0) / 1e3 / n;
};

for (let i = 0; i < 5; i++) await Promise.all([batch(get, 500), batch(raw, 500)]);
const times = { get: [], raw: [] };
for (let i = 0; i < 21; i++) {
  times.get.push(await batch(get, 500));
  times.raw.push(await batch(raw, 500));
}
console.log(
  `µs per call (median of 21 batches of 500): extensions.get ${median(times.get).toFixed(1)}, raw ${median(times.raw).toFixed(1)}`,
);

for (let i = 0; i < 10; i++) await counting.extensions.get(ID);
counts.clear();
const N = 100;
for (let i = 0; i < N; i++) await counting.extensions.get(ID);
const rows = [...counts].sort((a, b) => b[1] - a[1]);
console.log(`\ncalls into JS per get: ${rows.reduce((a, [, n]) => a + n, 0) / N}`);
for (const [name, n] of rows) console.log(`${String(n / N).padStart(6)}  ${name}`);

const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 25 });
await session.post("Profiler.start");
for (let i = 0; i < 20; i++) await batch(get, 500);
const { profile } = await session.post("Profiler.stop");
session.disconnect();
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const where = ({ url, functionName }) => {
  if (functionName.startsWith("wasm-to-js") || functionName.startsWith("js-to-wasm")) return "crossings (trampolines)";
  if (url.startsWith("wasm://") || url.includes(".wasm")) return "the wasm";
  if (url.endsWith("/kling_edge.js")) return "wasm-bindgen glue";
  if (url.endsWith("/host.js")) return "the JS host (host.js)";
  if (url.endsWith("call-profile.mjs")) return "this script (the fake fetch)";
  if (functionName.startsWith("(")) return functionName;
  return "Node (AbortController, timers, TextDecoder, promises)";
};
const self = new Map();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  const key = where(nodes.get(id).callFrame);
  self.set(key, (self.get(key) ?? 0) + dt);
  total += dt;
});
console.log("\nself time while calling extensions.get:");
for (const [key, t] of [...self].sort((a, b) => b[1] - a[1])) console.log(`${((100 * t) / total).toFixed(1).padStart(6)} %  ${key}`);
rmSync(dir, { recursive: true, force: true });
