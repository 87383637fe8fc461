// Fresh Node process: import kling-edge (its Node entry compiles and instantiates the wasm at import)
// and sign the first token. Prints the child's own figures (process.hrtime) as JSON.
const t0 = process.hrtime.bigint();
const { signToken } = await import(process.argv[2]);
const t1 = process.hrtime.bigint();
const token = signToken("ak-simulator", "sk-simulator");
const t2 = process.hrtime.bigint();
if (token.split(".").length !== 3) throw new Error("no token");
const msOf = (a, b) => Number(b - a) / 1e6;
console.log(JSON.stringify({ importMs: msOf(t0, t1), firstMs: msOf(t1, t2), totalMs: msOf(t0, t2), sinceStartMs: performance.now() }));
