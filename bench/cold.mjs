// Row 3 — cold start: a fresh process until the first signed request is ready (import + init +
// first token). Node: kling-edge vs jose vs hand-written node:crypto (the floor), each in fresh
// child processes, interleaved. workerd: Miniflare running the wrangler bundle of a tiny worker
// that imports kling-edge and signs in its handler, beside the same for jose and an empty worker
// (whose figure is workerd's own start-up, so the difference is the worker's import + init).
// Each child reports its own figure (process.hrtime); the parent times the whole process.
import { execFile, spawn } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { BENCH, log, main, median, ms, PKG, pkgUrl, ROOT, TMP, table } from "./lib.mjs";

const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 11);
const RUNS_WORKERD = Number(process.env.BENCH_COLD_RUNS_WORKERD ?? 10);

function child(args, env = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    p.once("exit", (code) => {
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) return reject(new Error(`${args.join(" ")} exited ${code}: ${err}`));
      resolve({ ...JSON.parse(out.trim().split("\n").at(-1) || "{}"), wallMs });
    });
  });
}

const WORKERS = {
  "kling-edge": `import { signToken } from "kling-edge";
export default {
  // Signed in the handler: Date.now() stands still at module load in workerd.
  async fetch() { return new Response(signToken("ak-simulator", "sk-simulator")); },
};`,
  jose: `import { SignJWT } from "jose";
export default {
  async fetch() {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ iss: "ak-simulator" }).setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setExpirationTime(now + 1800).setNotBefore(now - 5).sign(new TextEncoder().encode("sk-simulator"));
    return new Response(token);
  },
};`,
  empty: `export default { async fetch() { return new Response("ok"); } };`,
};

/** wrangler's own bundle of each worker (deploy --dry-run, offline), "kling-edge" linked to pkg/. */
async function bundleWorkers() {
  const base = join(TMP, "workers");
  rmSync(base, { recursive: true, force: true });
  const out = {};
  for (const [name, source] of Object.entries(WORKERS)) {
    const dir = join(base, name);
    mkdirSync(join(dir, "node_modules"), { recursive: true });
    symlinkSync(PKG, join(dir, "node_modules/kling-edge"), "dir");
    writeFileSync(join(dir, "worker.mjs"), `${source}\n`);
    writeFileSync(
      join(dir, "wrangler.toml"),
      `name = "bench-${name}"\nmain = "worker.mjs"\ncompatibility_date = "2025-09-01"\nsend_metrics = false\n`,
    );
    await promisify(execFile)(join(ROOT, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", "dist"], {
      cwd: dir,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_HIDE_BANNER: "true", CI: "1", NO_COLOR: "1" },
      timeout: 120_000,
    });
    const dist = join(dir, "dist");
    const files = readdirSync(dist).filter((f) => /\.(m?js|wasm)$/.test(f));
    const bytes = files.reduce((n, f) => n + statSync(join(dist, f)).size, 0);
    out[name] = { scriptPath: join(dist, "worker.js"), dist, files, bytes };
  }
  return out;
}

export async function run() {
  // Node: interleaved fresh processes.
  const node = { "kling-edge": [], jose: [], "node:crypto (hand-written)": [] };
  const nodeArgs = {
    "kling-edge": [join(BENCH, "cold/node-kling.mjs"), pkgUrl("index.node.js")],
    jose: [join(BENCH, "cold/node-jose.mjs")],
    "node:crypto (hand-written)": [join(BENCH, "cold/node-crypto.mjs")],
  };
  const bare = [];
  const parts = [];
  const partsArgs = [join(BENCH, "cold/node-kling-parts.mjs"), pkgUrl("").replace(/\/$/, "")];
  for (const args of Object.values(nodeArgs)) await child(args); // disk cache warm
  for (let i = 0; i < RUNS; i++) {
    for (const [name, args] of Object.entries(nodeArgs)) node[name].push(await child(args));
    bare.push((await child(["-e", "0"])).wallMs);
    parts.push(await child(partsArgs));
  }
  log(`cold: ${RUNS} × ${Object.keys(node).length} Node processes done`);

  // workerd through Miniflare.
  const bundles = await bundleWorkers();
  log(
    `cold: wrangler bundles ${Object.entries(bundles)
      .map(([k, b]) => `${k} ${(b.bytes / 1000).toFixed(1)} KB`)
      .join(", ")}`,
  );
  const workerd = Object.fromEntries(Object.keys(bundles).map((k) => [k, []]));
  const wargs = (b) => [join(BENCH, "cold/workerd-child.mjs"), b.scriptPath, b.dist];
  await child(wargs(bundles.empty)); // warm the workerd binary into the page cache
  for (let i = 0; i < RUNS_WORKERD; i++) for (const [name, b] of Object.entries(bundles)) workerd[name].push(await child(wargs(b)));
  log(`cold: ${RUNS_WORKERD} × ${Object.keys(bundles).length} workerd processes done`);

  const med = (xs, key) => median(xs.map((x) => x[key]));
  const nodeRows = Object.entries(node).map(([name, xs]) => [
    `Node, ${name}`,
    ms(med(xs, "importMs")),
    ms(med(xs, "firstMs")),
    `**${ms(med(xs, "totalMs"))}**`,
    ms(med(xs, "sinceStartMs"), 1),
    ms(med(xs, "wallMs"), 1),
  ]);
  const wd = (name) => workerd[name];
  const emptyReady = med(wd("empty"), "readyMs");
  const emptyFirst = med(wd("empty"), "firstMs");
  const workerdRows = Object.entries(workerd).map(([name, xs]) => [
    `workerd (Miniflare), ${name} worker`,
    `ready ${ms(med(xs, "readyMs"), 1)} (${name === "empty" ? "baseline" : `+${(med(xs, "readyMs") - emptyReady).toFixed(1)} ms`})`,
    `first request ${ms(med(xs, "firstRequestMs"), 1)}, then ${ms(med(xs, "secondRequestMs"), 2)}`,
    `**${ms(med(xs, "firstMs"), 1)}** (${name === "empty" ? "baseline" : `+${(med(xs, "firstMs") - emptyFirst).toFixed(1)} ms`})`,
    "—",
    ms(med(xs, "wallMs"), 1),
  ]);
  const kling = med(node["kling-edge"], "totalMs");
  const jose = med(node.jose, "totalMs");
  const floor = med(node["node:crypto (hand-written)"], "totalMs");
  const klingWorkerd = med(wd("kling-edge"), "firstMs") - emptyFirst;
  return {
    id: "cold",
    title: "3. Cold start (fresh process → first signed token)",
    summary: [
      {
        row: "3. Cold start, Node (import + init + first token)",
        value: `${ms(kling)} (${(kling / floor).toFixed(2)}× a node:crypto HS256 signer)`,
        against: `node:crypto signer ${ms(floor)}, jose ${ms(jose)}`,
        goal: "≤ 5 ms and ≤ 2× the node:crypto signer",
        ok: kling <= 5 && kling <= 2 * floor,
      },
      {
        row: "3. Cold start, workerd (Miniflare → first response)",
        value: `${ms(med(wd("kling-edge"), "firstMs"), 1)} (+${klingWorkerd.toFixed(1)} ms over an empty worker)`,
        against: `empty worker ${ms(emptyFirst, 1)}, jose worker ${ms(med(wd("jose"), "firstMs"), 1)}`,
        goal: "— (no goal set)",
        ok: null,
      },
    ],
    table: table(
      [
        "runtime, client",
        "import (+ init)",
        "first token / first request",
        "child's figure: import → first token",
        "Node: since process start",
        "wall time of the whole process",
      ],
      [...nodeRows, ["Node, `node -e 0` (process floor)", "—", "—", "—", "—", ms(median(bare), 1)], ...workerdRows],
    ),
    notes: [
      `kling-edge's Node start-up taken apart (medians of ${RUNS} more fresh processes, the steps \`index.node.js\` does): import the JS glue ${ms(med(parts, "glueMs"))}, read the .wasm ${ms(med(parts, "readMs"))}, \`new WebAssembly.Module\` ${ms(med(parts, "compileMs"))}, instantiate (\`initSync\`) ${ms(med(parts, "instantiateMs"))}, first \`signToken\` ${ms(med(parts, "firstMs"))}; total ${ms(med(parts, "totalMs"))}.`,
      `Medians of ${RUNS} fresh Node processes per client and ${RUNS_WORKERD} fresh Node+workerd processes per worker, interleaved (A, B, C, A, B, C, …), after one unmeasured run each to warm the page cache.`,
      'Node children: `process.hrtime.bigint()` before a dynamic `import()` of the entry, after it, and after the first `signToken` (jose: `await new SignJWT(…).sign(…)`). kling-edge\'s Node entry (`pkg/index.node.js`) reads, compiles and instantiates the .wasm at import, so "import" includes init. "since process start" is the child\'s `performance.now()` at the end (Node\'s own boot included).',
      `workerd children: Miniflare is imported first; the clock runs from \`new Miniflare({…})\` (which starts a workerd process) through \`await mf.ready\` ("ready") to the text of the first \`dispatchFetch\`, whose handler signs a token (the kling worker: \`signToken\`; the jose worker: \`SignJWT\`). Bundles by \`wrangler deploy --dry-run\` (kling-edge resolved through its \`workerd\` export): ${Object.entries(
        bundles,
      )
        .map(([k, b]) => `${k} ${b.files.join(" + ")} = ${(b.bytes / 1000).toFixed(1)} KB`)
        .join("; ")}.`,
      'Inside workerd, timers stand still during module load and request handling (Spectre mitigation), so the worker cannot time its own import; its import + init is estimated as the kling-edge worker minus the empty worker (both "ready" and "first response").',
    ],
  };
}

await main(import.meta.url, run);
