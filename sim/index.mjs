// Kling-compatible HTTP simulator for kling-edge tests and demos. See sim/README.md.
import { createServer } from "node:http";
import { Account } from "./lib/account.mjs";
import { createRequestHandler } from "./lib/app.mjs";
import { CallbackDispatcher } from "./lib/callbacks.mjs";
import { catalogFor } from "./lib/clips.mjs";
import { applyConfig, buildConfig, publicConfig } from "./lib/config.mjs";
import { FaultSet } from "./lib/faults.mjs";
import { RateLimiter } from "./lib/limits.mjs";
import { loadClips } from "./lib/media.mjs";
import { TaskStore } from "./lib/store.mjs";
import { taskView } from "./lib/task-view.mjs";
import { Timers } from "./lib/timers.mjs";
import { extensionRefusal, formatDuration, mediaPath, VideoRegistry } from "./lib/videos.mjs";

export { signWebhook } from "./lib/callbacks.mjs";
export { SIM_DEFAULTS } from "./lib/config.mjs";

/**
 * Starts a simulator listening on options.host:options.port (port 0 = any free port).
 * @returns {Promise<object>} the Simulator (see README for its members)
 */
export async function startSimulator(options = {}) {
  // The packs live with the account, not in the runtime config.
  const { resourcePacks, ...configOptions } = options;
  const config = buildConfig(configOptions);
  const now = () => Date.now() + config.clockOffsetMs;
  const videos = new VideoRegistry(now());
  const callbacks = new CallbackDispatcher({ config, now });
  let baseUrl = "";
  const clips = loadClips();
  const ctx = {
    config,
    now,
    videos,
    baseUrl: () => baseUrl,
    clips,
    faults: new FaultSet(),
    rateLimiter: new RateLimiter(config),
    requestLog: [],
    responseTimers: new Timers(), // delayed fault responses
  };
  ctx.store = new TaskStore({
    config,
    now,
    videos,
    catalog: catalogFor(clips),
    onChange: (task) => {
      if (task.params.callbackUrl) callbacks.notify(task.params.callbackUrl, taskView(task, baseUrl));
    },
  });

  ctx.account = new Account({ now, store: ctx.store, packs: resourcePacks });

  const server = createServer(createRequestHandler(ctx));
  await listen(server, config.host, config.port);
  const port = server.address().port;
  baseUrl = `http://${urlHost(config.host)}:${port}`;

  const sim = {
    url: baseUrl,
    port,
    get samples() {
      return videos.samples().map((video) => sampleView(video, baseUrl, config, now()));
    },
    injectFault: (rules) => ctx.faults.add(rules),
    clearFaults: () => ctx.faults.clear(),
    faults: () => ctx.faults.list(),
    reset() {
      ctx.store.reset();
      ctx.responseTimers.clear();
      ctx.requestLog = [];
      ctx.faults.clear();
      ctx.rateLimiter.reset();
      callbacks.reset();
    },
    configure(partial) {
      applyConfig(config, partial);
      if ("rateLimit" in partial) ctx.rateLimiter.reset();
    },
    config: () => publicConfig(config),
    now,
    requests: () => structuredClone(ctx.requestLog),
    tasks: () => ctx.store.all().map((task) => ({ family: task.family, ...taskView(task, baseUrl) })),
    callbacks: () => callbacks.list(),
    resourcePacks: () => ctx.account.packs(),
    configureResourcePacks: (packs) => ctx.account.configure(packs),
    close: closeOnce(() => shutdown(server, ctx, callbacks)),
  };
  ctx.sim = sim;
  return sim;
}

function listen(server, host, port) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

// URLs handed to clients must be reachable: a wildcard bind is reached through loopback.
function urlHost(host) {
  if (host === "0.0.0.0" || host === "::" || host === "") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

function sampleView(video, baseUrl, config, nowMs) {
  const refusal = extensionRefusal(video, nowMs, config.extendSeconds);
  return {
    id: video.id,
    name: video.name,
    model: video.model,
    mode: video.mode,
    duration: formatDuration(video.duration),
    url: baseUrl + mediaPath(video),
    watermark_url: baseUrl + mediaPath(video, true),
    created_at: video.createdAt,
    extendable: refusal === null,
    note: video.note,
  };
}

function closeOnce(fn) {
  let closing = null;
  return () => (closing ??= fn());
}

// Hung and keep-alive connections are destroyed too, and every timer is cancelled,
// so that a closed simulator never keeps the process alive.
async function shutdown(server, ctx, callbacks) {
  ctx.store.close();
  ctx.responseTimers.clear();
  callbacks.close();
  const closed = new Promise((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}
