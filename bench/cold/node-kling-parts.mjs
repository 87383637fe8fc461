// Fresh Node process: kling-edge's start-up taken apart (what pkg/index.node.js does at import,
// step by step): import the JS glue, read the .wasm, compile it, instantiate it, sign once.
const [pkgDir] = process.argv.slice(2);
const msOf = (a, b) => Number(b - a) / 1e6;
const t0 = process.hrtime.bigint();
const glue = await import(`${pkgDir}/kling_edge.js`);
const t1 = process.hrtime.bigint();
const { readFileSync } = await import("node:fs");
const bytes = readFileSync(new URL(`${pkgDir}/kling_edge_bg.wasm`));
const t2 = process.hrtime.bigint();
const module = new WebAssembly.Module(bytes);
const t3 = process.hrtime.bigint();
glue.initSync({ module });
const t4 = process.hrtime.bigint();
glue.signToken("ak-simulator", "sk-simulator");
const t5 = process.hrtime.bigint();
console.log(
  JSON.stringify({
    glueMs: msOf(t0, t1),
    readMs: msOf(t1, t2),
    compileMs: msOf(t2, t3),
    instantiateMs: msOf(t3, t4),
    firstMs: msOf(t4, t5),
    totalMs: msOf(t0, t5),
  }),
);
