// kling-edge demo page: a long video shot by shot (the main flow), then the legacy path (source →
// extend → chain), live task timelines, history, errors to act on.
// The entry: loads the WebAssembly module and /config.json, makes the edge function's client, sets
// up each section (src/: connection, source, long video, generate, extend, result, chain form,
// chain list, history) and wires the page-wide events between them (src/state.js).

import { setupChainForm } from "./src/chain-form.js";
import { ChainList } from "./src/chain-list.js";
import { refreshBudget, setupConnection } from "./src/connection.js";
import { $ } from "./src/dom.js";
import { setupExtend } from "./src/extend.js";
import { setupGenerate } from "./src/generate.js";
import { History } from "./src/history.js";
import { setupLongVideo } from "./src/long-video.js";
import { setupResult, showResult } from "./src/result.js";
import { fetchConfig, sessionToken, withRenewal } from "./src/session.js";
import { setupSource } from "./src/source.js";
import { client, on, state, via } from "./src/state.js";
import { init, KlingClient } from "./vendor/kling-edge/index.browser.js";

const EDGE_BASE = `${location.origin}/kling`;

async function boot() {
  const [config] = await Promise.all([fetchConfig(), init()]);
  state.config = config;
  const poll = Number(new URLSearchParams(location.search).get("poll"));
  // The simulator's tasks take seconds: poll it every second. Kling's take minutes: leave the
  // interval to the package's adaptive default.
  state.pollIntervalMs = Number.isFinite(poll) && poll >= 100 ? Math.min(poll, 60_000) : config.mode === "simulator" ? 1000 : undefined;
  // The session token the demo server minted for its demo user (an app's backend would, after
  // its login): the service answers only for this user's tasks and budget.
  state.session = config.session ? withRenewal(config.session) : null;
  // The page offers the v1.x models the legacy extend path takes (retired on Kling since
  // 2026-09-15): the service's ALLOWED_MODELS decides which it lets through.
  state.edge = new KlingClient({ baseUrl: EDGE_BASE, allowRetiredModels: true, ...(state.session ? { token: sessionToken } : {}) });
  state.client = state.edge;
  // The sections tell each other through page-wide events (src/state.js).
  const history = new History({ client, via });
  on("tasks", () => history.load(1));
  on("budget", refreshBudget);
  // The user's chains on the service (with a session), followed live while one runs.
  const chains = state.session
    ? new ChainList({ intervalMs: state.pollIntervalMs ?? 5000, onPlay: (task) => showResult(task, state.source) })
    : null;
  on("chains", () => chains?.refresh());
  refreshBudget();

  setupConnection(EDGE_BASE);
  setupSource();
  setupLongVideo();
  setupGenerate();
  setupExtend();
  setupResult();
  setupChainForm();
  chains?.refresh();
  history.load(1);
  document.body.dataset.ready = "true";
}

boot().catch((err) => {
  const box = $("#boot-error");
  box.hidden = false;
  box.textContent = `The demo could not start: ${err?.message ?? err}. Reload the page; if it persists, check that the demo server is running.`;
  document.body.dataset.ready = "error";
});
