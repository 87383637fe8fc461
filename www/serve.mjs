// The demo's servers: the Kling simulator (or the real API when keys are in the environment) and
// the edge service (worker/, bundled by wrangler, run in workerd by Miniflare), which also serves
// this page and the package's browser build as static assets. The page talks only to the service,
// with a session token minted here for a demo user (what an app's backend does after its login):
// the service's /kling/* facade adds credentials server-side and shows the page only its user's tasks.
// A small front server on the demo's port hands that token out (`/config.json`: 15 minutes, to the
// demo's own page on loopback only; www/README.md says why) and passes every other request to the
// service unchanged.
//
//   node www/serve.mjs [--port 8788]      (make demo runs it; Ctrl-C stops everything)
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { cp, mkdir, rm } from "node:fs/promises";
import { createServer, request as httpRequest } from "node:http";
import { isIP } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { SignJWT } from "jose";
import { Miniflare } from "miniflare";
import { SIM_DEFAULTS, startSimulator } from "../sim/index.mjs";
import { workerBindings } from "../worker/miniflare.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const WORKER_DIR = join(ROOT, "worker");
/** Who the demo page is: one demo user, as an app's own login would decide. */
export const DEMO_USER = "demo-user";
const KLING_DEFAULT_URL = "https://api-singapore.klingai.com";
const run = promisify(execFile);

/** Kling credentials from the environment, or null to use the simulator. */
function realCredentials(env) {
  if (env.KLING_ACCESS_KEY && env.KLING_SECRET_KEY) {
    return { KLING_ACCESS_KEY: env.KLING_ACCESS_KEY, KLING_SECRET_KEY: env.KLING_SECRET_KEY };
  }
  if (env.KLING_API_KEY) return { KLING_API_KEY: env.KLING_API_KEY };
  return null;
}

let bundled;

/** The Worker bundle, built once per process (tests start many demos). */
function bundleOnce() {
  bundled ??= bundleWorker(join(ROOT, `.tmp/demo-bundle-${process.pid}`));
  return bundled;
}

/** The Worker exactly as `wrangler deploy` would bundle it (offline dry run). */
async function bundleWorker(outdir) {
  process.once("exit", () => rmSync(outdir, { recursive: true, force: true }));
  if (
    !existsSync(join(WORKER_DIR, "node_modules/kling-edge/package.json")) ||
    !existsSync(join(WORKER_DIR, "node_modules/jose/package.json"))
  ) {
    await run("npm", ["ci", "--prefix", WORKER_DIR, "--no-audit", "--no-fund", "--loglevel=error"], { cwd: ROOT });
  }
  await run(join(ROOT, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", outdir], {
    cwd: WORKER_DIR,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_HIDE_BANNER: "true", CI: "1", NO_COLOR: "1" },
  });
  return join(outdir, "index.js");
}

/** How long a demo session lasts; the page fetches a new one before it ends. */
export const SESSION_TTL_S = 15 * 60;

/** A session token for `sub`, as the app's backend mints it (HS256, `sub`, `exp` ≤ 24 h). */
export function mintSession(secret, sub = DEMO_USER, ttlSeconds = SESSION_TTL_S) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .sign(new TextEncoder().encode(secret));
}

/** Whether `address` (a socket's remote address) is this machine's loopback. */
export function isLoopback(address) {
  const ip = String(address ?? "").replace(/^::ffff:/, "");
  return (isIP(ip) === 4 && ip.startsWith("127.")) || ip === "::1";
}

/**
 * Why a request may not have the demo's session, or null when it may: it must come over loopback,
 * name the demo's own host (a DNS-rebound name does not), and be a fetch of the demo's own page
 * (`Sec-Fetch-Site: same-origin`, which a browser sets and no other site's page can), with no
 * foreign `Origin`. `origins`: the demo's own origins.
 */
export function sessionRefusal({ remoteAddress, headers }, origins) {
  if (!isLoopback(remoteAddress)) return "the demo's session is for this machine only";
  const hosts = origins.map((o) => new URL(o).host);
  if (!hosts.includes(headers.host)) return "the demo's session is for its own address only";
  if (headers["sec-fetch-site"] !== "same-origin") return "the demo's session is for its own page only";
  if (headers.origin !== undefined && !origins.includes(headers.origin)) return "the demo's session is for its own page only";
  return null;
}

/** The page and the package's browser build under /vendor/kling-edge/. */
async function assembleAssets(dir) {
  await rm(dir, { recursive: true, force: true });
  await cp(join(ROOT, "www"), dir, { recursive: true, filter: (src) => !src.endsWith("serve.mjs") });
  const vendor = join(dir, "vendor/kling-edge");
  await mkdir(vendor, { recursive: true });
  // mp4/: kling-edge/mp4, the joiner the long video loads when it joins clips in the page.
  for (const file of ["index.browser.js", "kling_edge.js", "kling-error.js", "kling_edge_bg.wasm", "snippets", "mp4"]) {
    await cp(join(ROOT, "pkg", file), join(vendor, file), { recursive: true });
  }
}

/**
 * The demo's front: `/config.json` minted per request for the demo's own page (see
 * `sessionRefusal`), everything else passed to the service at `inner` (`{hostname, port}`, set
 * once it runs) as it came: method, path, headers, body, streamed both ways.
 */
function frontServer({ origins, config, sessionSecret, sessionTtlS, inner }) {
  return createServer(async (req, res) => {
    if (req.url === "/config.json" || req.url.startsWith("/config.json?")) {
      const refusal = sessionRefusal({ remoteAddress: req.socket.remoteAddress, headers: req.headers }, origins);
      const headers = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };
      if (refusal) {
        res.writeHead(403, headers).end(JSON.stringify({ error: { code: "ERR_FORBIDDEN", message: refusal } }));
        return;
      }
      const session = { user: DEMO_USER, token: await mintSession(sessionSecret, DEMO_USER, sessionTtlS), expiresIn: sessionTtlS };
      res.writeHead(200, headers).end(JSON.stringify({ ...config, session }));
      return;
    }
    // A connection per request (`agent: false`): a kept-alive one the service has just closed
    // would fail the next request with a reset.
    const upstream = httpRequest(
      { host: inner.hostname, port: inner.port, method: req.method, path: req.url, headers: req.headers, agent: false },
      (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", (err) => {
      if (res.destroyed) return; // the browser went away first (an aborted fetch)
      console.error(`demo front: ${req.method} ${req.url}: ${err.message}`);
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    // An aborted fetch ends the request to the service too.
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
}

/**
 * Starts the demo. `env` decides simulator or real API; `simOptions` tune the simulator;
 * `sessionTtlS`: the demo sessions' lifetime. Resolves `{ url, mode, sim, close() }`.
 */
export async function startDemo({
  port = 0,
  host = "127.0.0.1",
  env = process.env,
  simOptions = {},
  workDir = join(ROOT, ".tmp/demo"),
  sessionTtlS = SESSION_TTL_S,
} = {}) {
  if (!existsSync(join(ROOT, "pkg/package.json"))) throw new Error("pkg/ is not built: run `make build` first");
  const real = realCredentials(env);
  // As an account that kept access to the retired v1.x models: the page's legacy extend flow.
  const sim = real
    ? null
    : await startSimulator({ timing: { submittedMs: 1200, processingMs: 3500 }, allowRetiredModels: true, ...simOptions });
  let front = null;
  let mf = null;
  try {
    const scriptPath = await bundleOnce();
    const assets = join(workDir, "assets");
    // A fresh session secret per run: tokens of an earlier demo do not work on this one.
    const sessionSecret = randomBytes(32).toString("base64url");
    await assembleAssets(assets);
    const config = {
      mode: real ? "kling" : "simulator",
      samples: sim
        ? sim.samples.map(({ id, name, model, duration, url, extendable, note }) => ({ id, name, model, duration, url, extendable, note }))
        : [],
    };
    // The front listens first: its origin is the service's PUBLIC_ORIGIN (Kling's callbacks go there).
    const inner = {}; // the service's address, once Miniflare has started
    const origins = [];
    front = frontServer({ origins, config, sessionSecret, sessionTtlS, inner });
    await new Promise((resolvePromise, reject) => {
      front.once("error", reject);
      front.listen(port, host, resolvePromise);
    });
    const frontPort = front.address().port;
    const publicOrigin = `http://${host.includes(":") ? `[${host}]` : host}:${frontPort}`;
    origins.push(publicOrigin);
    if (isLoopback(host)) origins.push(`http://localhost:${frontPort}`);
    const bindings = real
      ? { KLING_BASE_URL: env.KLING_BASE_URL || KLING_DEFAULT_URL, ...real }
      : { KLING_BASE_URL: sim.url, KLING_ACCESS_KEY: SIM_DEFAULTS.accessKey, KLING_SECRET_KEY: SIM_DEFAULTS.secretKey };
    // The demo's budgets are generous (a chain is many creates); pro mode is offered by the page.
    Object.assign(bindings, {
      KLING_EDGE_SESSION_SECRET: sessionSecret,
      PUBLIC_ORIGIN: publicOrigin,
      ALLOWED_ORIGINS: origins.join(","),
      USER_DAILY_UNITS: "200",
      ACCOUNT_DAILY_UNITS: "1000",
      ALLOW_PRO: "true",
      ALLOW_RETIRED_MODELS: sim ? "true" : "false",
      // The simulator's seeded sources may be extended by the demo's user; its results are kept.
      SHARED_SOURCE_VIDEOS: sim ? sim.samples.map((s) => s.id).join(",") : "",
      MEDIA_HOSTS: sim ? sim.url : "https://*.klingai.com",
      SHOW_ACCOUNT_UNITS: "true",
    });
    mf = new Miniflare({
      ...workerBindings({ scriptPath, modulesRoot: dirname(scriptPath), createsPerMinute: 60 }),
      bindings,
      // Assets first; anything that is not a file goes to the Worker (its facade and routes).
      assets: { directory: assets, routerConfig: { has_user_worker: true } },
      host: "127.0.0.1",
      port: 0,
    });
    const { hostname, port: innerPort } = new URL(await mf.ready);
    Object.assign(inner, { hostname, port: innerPort });
    const server = front;
    const service = mf;
    return {
      url: publicOrigin,
      mode: real ? "kling" : "simulator",
      sim,
      async close() {
        server.closeAllConnections();
        await new Promise((resolvePromise) => server.close(resolvePromise));
        await service.dispose();
        await sim?.close();
      },
    };
  } catch (err) {
    front?.close();
    await mf?.dispose();
    await sim?.close();
    throw err;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf("--port");
  const port = i > 0 ? Number(process.argv[i + 1]) : Number(process.env.DEMO_PORT ?? 8788);
  const demo = await startDemo({ port });
  const against = demo.sim
    ? `the local Kling simulator (${demo.sim.url})`
    : `the real Kling API (${process.env.KLING_BASE_URL || KLING_DEFAULT_URL})`;
  console.log(`kling-edge demo: open ${demo.url}`);
  console.log(
    `  the page talks only to the edge service (${demo.url}/kling/*) as "${DEMO_USER}", with a session token minted here; the service adds credentials and calls ${against}`,
  );
  console.log("  Ctrl-C stops everything");
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    await demo.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
