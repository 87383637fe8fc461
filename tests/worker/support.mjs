// Shared by the Worker tests: the real bundle (built once by wrangler), the Worker in Miniflare on
// a loopback port, the simulator, polling, and a raw HTTP client for paths fetch() would normalise.
import { execFile } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { mkdtemp, readFile, readdir } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Miniflare } from "miniflare";
import { startSimulator, SIM_DEFAULTS } from "../../sim/index.mjs";

export { SIM_DEFAULTS };
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const WORKER_DIR = join(ROOT, "examples/worker");
export const SOURCE = "800000000000000001"; // kling-v1-6, 5 s: extendable
export const WEBHOOK_SECRET = "whsec_" + Buffer.from("kling-edge worker test webhook key!").toString("base64");
export const FAST = { submittedMs: 150, processingMs: 300 };

let bundlePromise;

/**
 * Builds the Worker the way `wrangler deploy` would (its own module resolution, offline, dry run)
 * once per test process. Resolves `{dir, scriptPath, script, files}`.
 */
export function buildBundle() {
  bundlePromise ??= (async () => {
    if (!existsSync(join(ROOT, "pkg/package.json"))) throw new Error("pkg/ is not built: run `make build` first");
    await installExample();
    const outdir = await mkdtemp(join(tmpdir(), "kling-worker-bundle-"));
    process.once("exit", () => rmSync(outdir, { recursive: true, force: true }));
    const wrangler = join(ROOT, "node_modules/.bin/wrangler");
    await run(wrangler, ["deploy", "--dry-run", "--outdir", outdir], {
      cwd: WORKER_DIR,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1", NO_COLOR: "1" },
      timeout: 60_000,
    });
    const files = await readdir(outdir);
    const scriptPath = join(outdir, "index.js");
    return { dir: outdir, scriptPath, script: await readFile(scriptPath, "utf8"), files };
  })();
  return bundlePromise;
}

const run = promisify(execFile);

/** `npm ci --prefix examples/worker` when its kling-edge link is missing (offline: a file: link). */
async function installExample() {
  const linked = () => existsSync(join(WORKER_DIR, "node_modules/kling-edge/package.json"));
  if (linked()) return;
  try {
    await run("npm", ["ci", "--prefix", WORKER_DIR, "--no-audit", "--no-fund", "--loglevel=error"], { cwd: ROOT, timeout: 60_000 });
  } catch (err) {
    if (!linked()) throw err; // another test process may have installed it meanwhile
  }
}

/** Secrets in the form the Worker takes them, for each credential scheme. */
export const AKSK = { KLING_ACCESS_KEY: SIM_DEFAULTS.accessKey, KLING_SECRET_KEY: SIM_DEFAULTS.secretKey };
export const APIKEY = { KLING_API_KEY: SIM_DEFAULTS.apiKey };

/**
 * Starts the Worker in Miniflare on 127.0.0.1 (any port). `bindings` become env vars / secrets.
 * Closes itself after the test.
 */
export async function startWorker(t, bindings) {
  const { scriptPath, dir } = await buildBundle();
  const mf = new Miniflare({
    modules: true,
    scriptPath,
    modulesRoot: dir, // module names are relative to it; the bundle lives in a temp dir
    modulesRules: [
      { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: "2026-04-01",
    kvNamespaces: ["TASKS"],
    bindings,
    host: "127.0.0.1",
    port: 0,
  });
  t.after(() => mf.dispose());
  const url = (await mf.ready).toString().replace(/\/$/, "");
  return { mf, url };
}

export async function startSim(t, options = {}) {
  const sim = await startSimulator({ timing: FAST, ...options });
  t.after(() => sim.close());
  return sim;
}

/**
 * Simulator + Worker wired together. `webhookSecret` is given to both (the simulator signs, the
 * Worker verifies); `simOptions.webhookSecret` overrides the simulator's.
 */
export async function startPair(t, { simOptions = {}, credentials = AKSK, webhookSecret, extra = {} } = {}) {
  const sim = await startSim(t, { webhookSecret: webhookSecret ?? null, ...simOptions });
  const bindings = { KLING_BASE_URL: sim.url, ...credentials, ...extra };
  if (webhookSecret) bindings.KLING_WEBHOOK_SECRET = webhookSecret;
  const worker = await startWorker(t, bindings);
  return { sim, worker, url: worker.url, bindings };
}

export async function postJson(url, body, headers = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

export async function getRecord(url, id) {
  const response = await fetch(`${url}/extensions/${encodeURIComponent(id)}`);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** Polls `fn` every `interval` ms until it returns a truthy value; throws at the deadline. */
export async function until(fn, { timeoutMs = 10_000, interval = 25, what = "a condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Polls the Worker's record until its status is `status`. */
export function untilStatus(url, id, status, timeoutMs = 10_000) {
  return until(
    async () => {
      const { status: code, body } = await getRecord(url, id);
      return code === 200 && body.status === status ? body : null;
    },
    { timeoutMs, what: `task ${id} to reach ${status}` },
  );
}

/** Waits until every callback the simulator sent so far has been answered. */
export function callbacksSettled(sim, count) {
  return until(() => {
    const list = sim.callbacks();
    return list.length >= count && list.every((c) => c.done) ? list : null;
  }, { what: `${count} callbacks delivered` });
}

/** One request with the path sent byte for byte (fetch() would resolve `..` and `%2e`). */
export function rawRequest(baseUrl, method, path, { headers = {}, body } = {}) {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolvePromise, reject) => {
    // A fresh connection each time: a reused keep-alive socket may be closed under us.
    const req = httpRequest({ host: hostname, port, method, path, headers, agent: false }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolvePromise({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

