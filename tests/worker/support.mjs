// Shared by the Worker tests: the real bundle (built once by wrangler), the Worker in Miniflare on
// a loopback port, the simulator, polling, and a raw HTTP client for paths fetch() would normalise.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { SignJWT } from "jose";
import { Miniflare } from "miniflare";
import { SIM_DEFAULTS, startSimulator } from "../../sim/index.mjs";
import { workerBindings } from "../../worker/miniflare.mjs";

export { SIM_DEFAULTS };

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const WORKER_DIR = join(ROOT, "worker");
/** The Worker's session secret in tests (what the app's backend shares with it). */
export const SESSION_SECRET = "test-session-secret-0123456789abcdef0123456789";
export const SOURCE = "800000000000000001"; // kling-v1-6, 5 s: extendable
export const WEBHOOK_SECRET = `whsec_${Buffer.from("kling-edge worker test webhook key!").toString("base64")}`;
export const FAST = { submittedMs: 150, processingMs: 300 };

let bundlePromise;

/**
 * Builds the Worker the way `wrangler deploy` would (its own module resolution, offline, dry run)
 * once per test process. Resolves `{dir, scriptPath, script, files}`.
 */
export function buildBundle() {
  bundlePromise ??= bundleOf(WORKER_DIR);
  return bundlePromise;
}

/** Bundles the Worker in `dir` with `wrangler deploy --dry-run` into a temporary directory. */
export async function bundleOf(dir) {
  if (!existsSync(join(ROOT, "pkg/package.json"))) throw new Error("pkg/ is not built: run `make build` first");
  await installWorker();
  const outdir = await mkdtemp(join(tmpdir(), "kling-worker-bundle-"));
  process.once("exit", () => rmSync(outdir, { recursive: true, force: true }));
  const wrangler = join(ROOT, "node_modules/.bin/wrangler");
  await run(wrangler, ["deploy", "--dry-run", "--outdir", outdir], {
    cwd: dir,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1", NO_COLOR: "1" },
    timeout: 60_000,
  });
  const files = await readdir(outdir);
  const scriptPath = join(outdir, "index.js");
  return { dir: outdir, scriptPath, script: await readFile(scriptPath, "utf8"), files };
}

export { ROOT };

const run = promisify(execFile);

/** `npm ci --prefix worker` when its dependencies are missing (kling-edge is a file: link). */
async function installWorker() {
  const linked = () =>
    existsSync(join(WORKER_DIR, "node_modules/kling-edge/package.json")) && existsSync(join(WORKER_DIR, "node_modules/jose/package.json"));
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

/** The Worker's vars in tests unless a test says otherwise: budgets that never get in the way. */
export const TEST_VARS = {
  USER_DAILY_UNITS: "1000",
  ACCOUNT_DAILY_UNITS: "100000",
  ALLOWED_MODELS: "kling-v1-5,kling-v1-6",
  // The legacy extend path needs v1.x sources, which only an account that kept access can make.
  ALLOW_RETIRED_MODELS: "true",
};

/** A port free on 127.0.0.1 now (the Worker's origin must be known before it starts). */
export function freePort() {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePromise(port));
    });
  });
}

/**
 * Starts the Worker in Miniflare on 127.0.0.1 (a free port unless `port` is given), with
 * `PUBLIC_ORIGIN` its own origin. `bindings` become env vars / secrets (`undefined` removes one);
 * `createsPerMinute` configures the Rate Limiting binding; `options` override Miniflare's.
 * Closes itself after the test.
 */
export async function startWorker(t, bindings, { createsPerMinute = 1000, bundle, persist, port = 0, options = {} } = {}) {
  const { scriptPath, dir } = bundle ?? (await buildBundle());
  for (let attempt = 1; ; attempt++) {
    const chosen = port || (await freePort());
    const mf = new Miniflare({ ...workerOptions({ scriptPath, dir, bindings, createsPerMinute, persist, port: chosen }), ...options });
    try {
      const url = (await mf.ready).toString().replace(/\/$/, "");
      t.after(() => mf.dispose());
      return { mf, url };
    } catch (err) {
      await mf.dispose().catch(() => {});
      // Another process took the port between freePort() and Miniflare: try another.
      if (port || attempt >= 3 || err?.code !== "ERR_ADDRESS_IN_USE") throw err;
    }
  }
}

/**
 * Miniflare's options for the bundle: every binding of wrangler.toml, `PUBLIC_ORIGIN`
 * `http://127.0.0.1:<port>` unless `bindings` set it. `persist`: a directory whose Durable
 * Objects, Workflows and R2 outlive this Miniflare (a restart resumes from it).
 */
export function workerOptions({ scriptPath, dir, bindings, createsPerMinute = 1000, persist, port }) {
  const stores = persist
    ? { durableObjectsPersist: join(persist, "do"), workflowsPersist: join(persist, "workflows"), r2Persist: join(persist, "r2") }
    : {};
  if (!port && !(bindings && "PUBLIC_ORIGIN" in bindings))
    throw new Error("workerOptions needs the port (PUBLIC_ORIGIN is the Worker's origin)");
  const all = { KLING_EDGE_SESSION_SECRET: SESSION_SECRET, PUBLIC_ORIGIN: `http://127.0.0.1:${port}`, ...TEST_VARS, ...bindings };
  for (const [name, value] of Object.entries(all)) if (value === undefined) delete all[name];
  return {
    // modulesRoot: module names are relative to it; the bundle lives in a temp dir.
    ...workerBindings({ scriptPath, modulesRoot: dir, createsPerMinute }),
    ...stores,
    bindings: all,
    host: "127.0.0.1",
    port,
  };
}

/**
 * The Worker's bindings that point it at `sim`: Kling's base URL, the media host videos are kept
 * from, and the simulator's seeded sources shared with every user (the service made none of them).
 */
export function simBindings(sim) {
  return { KLING_BASE_URL: sim.url, MEDIA_HOSTS: sim.url, SHARED_SOURCE_VIDEOS: sim.samples.map((s) => s.id).join(",") };
}

export async function startSim(t, options = {}) {
  // The service's legacy extend path needs v1.x sources: an account that kept access to them.
  const sim = await startSimulator({ timing: FAST, allowRetiredModels: true, ...options });
  t.after(() => sim.close());
  return sim;
}

/**
 * Simulator + Worker wired together. `webhookSecret` is given to both (the simulator signs, the
 * Worker verifies); `simOptions.webhookSecret` overrides the simulator's.
 */
export async function startPair(
  t,
  { simOptions = {}, credentials = AKSK, webhookSecret, extra = {}, createsPerMinute, bundle, persist, options } = {},
) {
  const sim = await startSim(t, { webhookSecret: webhookSecret ?? null, ...simOptions });
  const bindings = { ...simBindings(sim), ...credentials, ...extra };
  if (webhookSecret) bindings.KLING_WEBHOOK_SECRET = webhookSecret;
  const worker = await startWorker(t, bindings, { createsPerMinute, bundle, persist, options });
  return { sim, worker, url: worker.url, bindings };
}

/**
 * A session token as the app's backend mints it (jose, HS256). Options: `secret`, `ttl` (seconds,
 * negative = already expired), `claims` (replace `sub`/`exp`), `alg`.
 */
export async function mint(sub, { secret = SESSION_SECRET, ttl = 3600, claims } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const body = claims ?? { sub, exp: now + ttl };
  return new SignJWT(body).setProtectedHeader({ alg: "HS256", typ: "JWT" }).setIssuedAt(now).sign(new TextEncoder().encode(secret));
}

/** An unsigned `alg: none` token (what jose must refuse). */
export function unsignedToken(sub) {
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
  return `${b64({ alg: "none", typ: "JWT" })}.${b64({ sub, exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
}

/** Default user of the tests that are not about users. */
export const ALICE = "alice@example.test";
let aliceToken;
export async function auth(sub = ALICE) {
  if (sub === ALICE) aliceToken ??= await mint(ALICE);
  return { authorization: `Bearer ${sub === ALICE ? aliceToken : await mint(sub)}` };
}

/** One request as user `sub` (a fresh session token), `body` sent as JSON; the answer with `json`. */
export async function callAs(url, method, path, sub, body) {
  const headers = { authorization: `Bearer ${await mint(sub)}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const r = await rawRequest(url, method, path, { headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { ...r, json: r.text ? JSON.parse(r.text) : null };
}

export async function postJson(url, body, headers = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(await auth()), ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

export async function getJson(url, headers = {}) {
  const response = await fetch(url, { headers: { ...(await auth()), ...headers } });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null, text };
}

export async function getRecord(url, id, headers = {}) {
  const { status, body } = await getJson(`${url}/extensions/${encodeURIComponent(id)}`, headers);
  return { status, body };
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
export function untilStatus(url, id, status, timeoutMs = 10_000, headers = {}) {
  return until(
    async () => {
      const { status: code, body } = await getRecord(url, id, headers);
      return code === 200 && body.status === status ? body : null;
    },
    { timeoutMs, what: `task ${id} to reach ${status}` },
  );
}

/** Waits until every callback the simulator sent so far has been answered. */
export function callbacksSettled(sim, count) {
  return until(
    () => {
      const list = sim.callbacks();
      return list.length >= count && list.every((c) => c.done) ? list : null;
    },
    { what: `${count} callbacks delivered` },
  );
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

/** A chain's prompts in tests. */
export const PROMPTS = ["Birds fly", "A deer drinks", "Pull back"];

/** POST /chains extending the extendable sample (5 s), three steps unless `body` says otherwise. */
export async function startChain(url, body, headers) {
  const r = await postJson(
    `${url}/chains`,
    { method: "extend", video_id: SOURCE, video_duration: 5, prompts: PROMPTS, ...body },
    headers,
  ).catch((err) => {
    throw new Error(`POST /chains: ${err.message} (${err.cause?.code ?? err.cause})`);
  });
  assert.equal(r.status, 202, r.text);
  return JSON.parse(r.text);
}

/** Polls GET /chains/:id until the chain is `status` (a chain that fails instead throws). */
export function untilChain(url, id, status, { timeoutMs = 30_000, headers } = {}) {
  return until(
    async () => {
      const r = await getJson(`${url}/chains/${id}`, headers);
      assert.equal(r.status, 200, r.text);
      if (r.body.status === "failed" && status !== "failed") throw new Error(`chain failed: ${JSON.stringify(r.body.error)}`);
      return r.body.status === status ? r.body : null;
    },
    { timeoutMs, interval: 50, what: `chain ${id} to be ${status}` },
  );
}
