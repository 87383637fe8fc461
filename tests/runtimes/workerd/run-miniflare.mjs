// Runs the wrangler bundle (dist/) in workerd through Miniflare and fetches the smoke route.
// Miniflare treats .js as CommonJS and has no rule for .wasm: both rules are given explicitly.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Miniflare } from "miniflare";

const dist = new URL("./dist/", import.meta.url);
const script = readdirSync(dist).find((f) => /\.(m?js)$/.test(f));
const require = createRequire(import.meta.url);
const versionOf = (name) => JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")).version;

const record = {
  version: `workerd ${versionOf("workerd")} (wrangler ${versionOf("wrangler")}, Miniflare ${versionOf("miniflare")})`,
  notes: [
    `bundle: ${readdirSync(dist)
      .filter((f) => /\.(m?js|wasm)$/.test(f))
      .join(", ")}`,
  ],
};
const entries = readFileSync(new URL(script, dist), "utf8").match(/\/\/ node_modules\/kling-edge\/index\.[\w.]+\.js/g);
record.notes.push(`entry: ${[...new Set(entries ?? ["?"])].map((e) => e.replace("// node_modules/", "")).join(", ")}`);
let mf;
let runtimeOutput = "";
try {
  mf = new Miniflare({
    modules: true,
    scriptPath: new URL(script, dist).pathname,
    modulesRoot: dist.pathname,
    modulesRules: [
      { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: "2025-09-01",
    // workerd's own output (e.g. "Uncaught Error" at module load), kept for the failure reason.
    handleRuntimeStdio(stdout, stderr) {
      for (const stream of [stdout, stderr]) {
        stream.on("data", (chunk) => {
          runtimeOutput += chunk;
          process.stderr.write(chunk);
        });
      }
    },
  });
  await mf.ready; // a module that throws at load fails here
  const res = await mf.dispatchFetch(`http://worker.local/?sim=${encodeURIComponent(process.env.SIM_URL)}`);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`the worker answered ${res.status}: ${text.slice(0, 500)}`);
  Object.assign(record, JSON.parse(text));
} catch (e) {
  const uncaught = runtimeOutput.split("\n").find((l) => /Uncaught|Error/.test(l));
  record.checks = { init: { ok: false, error: `worker failed: ${e.message}${uncaught ? ` (workerd: ${uncaught.trim()})` : ""}` } };
  record.ok = false;
} finally {
  await mf?.dispose().catch(() => {});
}
writeFileSync(process.env.RESULT_FILE, JSON.stringify(record, null, 2));
process.exitCode = record.ok ? 0 : 1;
