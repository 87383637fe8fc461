// Fresh Node process: Miniflare (workerd) running a wrangler bundle; from `new Miniflare` to the
// first response of a request whose handler signs a token. Miniflare itself is imported before the
// clock starts. Prints the child's own figures (process.hrtime) as JSON.
import { Miniflare } from "miniflare";

const [scriptPath, modulesRoot] = process.argv.slice(2);
const t0 = process.hrtime.bigint();
const mf = new Miniflare({
  modules: true,
  scriptPath,
  modulesRoot,
  modulesRules: [
    { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
    { type: "CompiledWasm", include: ["**/*.wasm"] },
  ],
  compatibilityDate: "2025-09-01",
});
await mf.ready;
const t1 = process.hrtime.bigint();
const res = await mf.dispatchFetch("http://worker.local/");
const text = await res.text();
const t2 = process.hrtime.bigint();
const res2 = await mf.dispatchFetch("http://worker.local/");
await res2.text();
const t3 = process.hrtime.bigint();
await mf.dispose();
if (res.status !== 200) throw new Error(`worker answered ${res.status}: ${text.slice(0, 300)}`);
const msOf = (a, b) => Number(b - a) / 1e6;
console.log(
  JSON.stringify({
    readyMs: msOf(t0, t1),
    firstMs: msOf(t0, t2),
    firstRequestMs: msOf(t1, t2),
    secondRequestMs: msOf(t2, t3),
    body: text.slice(0, 40),
  }),
);
