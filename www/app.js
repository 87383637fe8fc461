// kling-edge demo page: source → extend → chain, live task timelines, history, errors to act on.

import { ChainBuilder } from "./src/chain.js";
import { $, $$, announce, fmtSeconds, h } from "./src/dom.js";
import { clearError, showError } from "./src/errors.js";
import { bindCounter, checkCfg, checkExternalId, checkPrompt, clearFieldError, placeKlingError, report, rules } from "./src/fields.js";
import { History } from "./src/history.js";
import { extendableModels, isRetired, listWords, ModelForm, modelRow } from "./src/models.js";
import { TaskCard } from "./src/tasks.js";
import { init, isValidId, KlingClient } from "./vendor/kling-edge/index.browser.js";

const EDGE_BASE = `${location.origin}/kling`;
// Which models still extend, and how long a video may get: the package's rules, never copied here.
const extendable = (model) => extendableModels().includes(model);
const onlyExtendable = () => `only videos of ${listWords(extendableModels())} can still be extended.`;
const tooLongToExtend = (seconds) => Number(seconds) + rules().maxStepSeconds > rules().maxTotalSeconds;

const state = {
  config: { mode: "simulator", samples: [] },
  via: "edge", // or "direct"
  edge: null,
  client: null,
  source: null, // {videoId, duration, model, url, label}
  pollIntervalMs: undefined, // undefined: the package's adaptive default (5 s, up to 15 s)
  session: null, // {user, token, expiresIn, renewAt} from the demo server
  renewing: null, // a /config.json fetch under way
};
const client = () => state.client;
const via = () => state.via;

// ---------------------------------------------------------------------------------------- boot

/** The demo server's /config.json: the mode, the samples and a short-lived session (15 min). */
function fetchConfig() {
  return fetch("config.json", { cache: "no-store" })
    .then((r) => (r.ok ? r.json() : { mode: "kling", samples: [] }))
    .catch(() => ({ mode: "kling", samples: [] }));
}

/**
 * The demo user's session token, fetched again from the demo server when it has less than two
 * minutes left (the server hands out 15-minute tokens, to this page only).
 */
async function sessionToken() {
  const session = state.session;
  if (session && Date.now() < session.renewAt) return session.token;
  state.renewing ??= fetchConfig()
    .then((config) => {
      if (config.session) state.session = withRenewal(config.session);
    })
    .finally(() => {
      state.renewing = null;
    });
  await state.renewing;
  return state.session.token;
}

const withRenewal = (session) => ({ ...session, renewAt: Date.now() + Math.max(0, (session.expiresIn ?? 0) - 120) * 1000 });

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
  refreshBudget();

  const badge = $("#mode-badge");
  badge.textContent = config.mode === "simulator" ? "Simulator · nothing is billed" : "Kling API · tasks spend units";
  badge.dataset.mode = config.mode;
  $("#edge-url").textContent = EDGE_BASE;
  renderConnState();

  setupConnection();
  setupSource();
  setupExtend();
  setupChain();
  history = new History({ client, via });
  history.load(1);
  document.body.dataset.ready = "true";
}

let history;
let chain;

boot().catch((err) => {
  const box = $("#boot-error");
  box.hidden = false;
  box.textContent = `The demo could not start: ${err?.message ?? err}. Reload the page; if it persists, check that the demo server is running.`;
  document.body.dataset.ready = "error";
});

// ---------------------------------------------------------------------------------- connection

/** Today's budget of the demo user, from the service's `GET /me`, and the account's units. */
async function refreshBudget() {
  refreshUnits();
  const el = $("#budget");
  if (!state.session) return;
  try {
    const r = await fetch(`${location.origin}/me`, { headers: { authorization: `Bearer ${await sessionToken()}` }, cache: "no-store" });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    const me = await r.json();
    el.textContent = `Signed in as ${me.user}. Today: ${me.spent} of ${me.budget} units spent, ${me.reserved} reserved, ${me.remaining} left.`;
    el.hidden = false;
  } catch {
    el.hidden = true;
  }
}

/**
 * What remains of the account's resource packs: through the service's `GET /account` (when its
 * operator shows it), or, with the user's own key, from `kling.account.costs` directly.
 */
async function refreshUnits() {
  const el = $("#units");
  try {
    let units;
    if (state.via === "direct") {
      const costs = await state.client.account.costs({ start_time: Math.max(0, Date.now() - 400 * 86_400_000), end_time: Date.now() });
      const online = costs.resource_pack_subscribe_infos.filter((p) => p.status === "online");
      units = { remaining: online.reduce((n, p) => n + p.remaining_quantity, 0), packs: online.length };
    } else {
      if (!state.session) throw new Error("no session");
      const r = await fetch(`${location.origin}/account`, {
        headers: { authorization: `Bearer ${await sessionToken()}` },
        cache: "no-store",
      });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      const body = await r.json();
      units = { remaining: body.remaining, packs: body.packs.filter((p) => p.status === "online").length };
    }
    el.textContent = `Account: ${units.remaining} units remaining in ${units.packs} active resource pack${units.packs === 1 ? "" : "s"} (Kling's count may lag behind charges).`;
    el.hidden = false;
  } catch {
    el.hidden = true;
  }
}

function renderConnState() {
  const el = $("#conn-state");
  if (state.via === "edge") {
    el.replaceChildren(
      h("span", { class: "dot-ok", "aria-hidden": "true" }),
      " Connected through the edge function. No keys in this page.",
    );
  } else {
    el.replaceChildren(
      h("span", { class: "dot-warn", "aria-hidden": "true" }),
      ` Direct to ${state.directBase} with your key (in memory only).`,
    );
  }
}

function setupConnection() {
  const form = $("#direct-form");
  const simOrigin = state.config.samples[0]?.url ? new URL(state.config.samples[0].url).origin : null;
  if (simOrigin) {
    $("#direct-base-hint").append(
      h("br"),
      "Simulator: ",
      h("code", { text: simOrigin }),
      " with access key ",
      h("code", { text: "ak-simulator" }),
      ", secret key ",
      h("code", { text: "sk-simulator" }),
      ".",
    );
  }
  for (const r of $$('input[name="conn"]')) {
    r.addEventListener("change", () => {
      const direct = r.value === "direct" && r.checked;
      form.hidden = !direct;
      $("#conn-edge-info").hidden = direct;
      if (!direct) forgetKeys();
    });
  }
  for (const r of $$('input[name="direct-auth"]')) {
    r.addEventListener("change", () => {
      const pair = $('input[name="direct-auth"]:checked').value === "pair";
      $("#pair-fields").hidden = !pair;
      $("#apikey-field").hidden = pair;
    });
  }
  $("#direct-forget").addEventListener("click", () => {
    forgetKeys();
    announce("Keys forgotten. Using the edge function.");
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    clearError($("#direct-error"));
    const ak = $("#direct-ak"),
      sk = $("#direct-sk"),
      key = $("#direct-apikey"),
      base = $("#direct-base"),
      accept = $("#direct-accept");
    [ak, sk, key, base, accept].forEach(clearFieldError);
    const pair = $('input[name="direct-auth"]:checked').value === "pair";
    const errors = [];
    if (pair && !ak.value.trim()) errors.push({ input: ak, message: "Enter the access key." });
    if (pair && !sk.value.trim()) errors.push({ input: sk, message: "Enter the secret key." });
    if (!pair && !key.value.trim()) errors.push({ input: key, message: "Enter the API key." });
    let url = null;
    try {
      url = new URL(base.value.trim());
      if (!/^https?:$/.test(url.protocol)) throw new Error();
    } catch {
      errors.push({ input: base, message: "Enter an http(s) URL, e.g. https://api-singapore.klingai.com." });
    }
    if (!accept.checked) errors.push({ input: accept, message: "Tick this to confirm you accept the risk." });
    if (!report(errors)) return;
    try {
      const baseUrl = url.href.replace(/\/$/, "");
      const creds = pair ? { accessKey: ak.value.trim(), secretKey: sk.value.trim() } : { apiKey: key.value.trim() };
      // The page still offers the v1.x models the legacy extend path takes (retired on Kling).
      state.client = new KlingClient({ ...creds, baseUrl, dangerouslyAllowBrowser: true, allowRetiredModels: true });
      state.via = "direct";
      state.directBase = baseUrl;
      renderConnState();
      refreshUnits();
      announce("Using your keys, directly.");
      history.load(1);
    } catch (err) {
      showError($("#direct-error"), err, { via: "direct", title: "These settings were refused." });
    }
  });
}

function forgetKeys() {
  for (const id of ["#direct-ak", "#direct-sk", "#direct-apikey"]) $(id).value = "";
  $("#direct-accept").checked = false;
  const wasDirect = state.via === "direct";
  state.client = state.edge;
  state.via = "edge";
  renderConnState();
  refreshUnits();
  if (wasDirect) history.load(1);
}

// -------------------------------------------------------------------------------------- source

function setupSource() {
  const { samples, mode } = state.config;
  const box = $("#samples");
  for (const s of samples) {
    const noteId = `sample-${s.id}-note`;
    const model = s.model ?? "";
    const why = s.extendable ? null : reasonNotExtendable(s);
    box.append(
      h(
        "label",
        { class: "sample", dataset: { extendable: String(!!s.extendable) } },
        h("input", { type: "radio", name: "sample", value: s.id, disabled: !s.extendable, "aria-describedby": noteId }),
        h(
          "span",
          { class: "sample-body" },
          h("span", { class: "sample-name", text: s.name }),
          h("span", { class: "sample-meta", text: `${model} · ${fmtSeconds(s.duration)}` }),
          isRetired(model) ? h("span", { class: "tag tag-retired", text: "Retired model: only the legacy extend path takes it" }) : null,
          h("span", {
            class: `tag ${s.extendable ? "tag-ok" : "tag-no"}`,
            id: noteId,
            text: s.extendable ? "Extendable" : `Not extendable: ${why}`,
          }),
        ),
      ),
    );
  }
  const retired = [...new Set(samples.map((s) => s.model).filter(isRetired))];
  if (retired.length) {
    const dates = [...new Set(retired.map((m) => modelRow(m).retired.date))];
    const note = $("#samples-retired");
    note.textContent = `These samples were made by ${listWords(retired)}, which Kling retired (${listWords(dates)}): video-extend, the legacy path, takes only videos of ${listWords(extendableModels())}, so they stay to show it. New videos are made with today's models: Generate or Omni-Video.`;
    note.hidden = false;
  }
  box.addEventListener("change", (e) => {
    const s = samples.find((x) => x.id === e.target.value);
    if (s) setSource({ videoId: s.id, duration: Number(s.duration), model: s.model, url: s.url, label: `Sample “${s.name}”` });
  });
  if (!samples.length) {
    $("#samples-empty").hidden = false;
    box.hidden = true;
    if (mode !== "simulator") {
      $("#kind-sample-label").hidden = true;
      $('input[name="source-kind"][value="generate"]').checked = true;
    }
  }
  const first = samples.find((s) => s.extendable);
  if (first && $('input[name="source-kind"]:checked').value === "sample") {
    box.querySelector(`input[value="${first.id}"]`).checked = true;
    setSource(
      { videoId: first.id, duration: Number(first.duration), model: first.model, url: first.url, label: `Sample “${first.name}”` },
      { quiet: true },
    );
  }
  const showPanel = () => {
    const kind = $('input[name="source-kind"]:checked').value;
    $("#panel-sample").hidden = kind !== "sample";
    $("#panel-id").hidden = kind !== "id";
    $("#panel-generate").hidden = kind !== "generate";
    $("#panel-omni").hidden = kind !== "omni";
  };
  for (const r of $$('input[name="source-kind"]')) r.addEventListener("change", showPanel);
  showPanel();

  // A pasted video id.
  $("#panel-id").addEventListener("submit", (e) => {
    e.preventDefault();
    const id = $("#src-id"),
      dur = $("#src-duration");
    [id, dur].forEach(clearFieldError);
    const errors = [];
    const v = id.value.trim();
    if (!v) errors.push({ input: id, message: "Paste a video id." });
    else if (!isValidId(v))
      errors.push({ input: id, message: `A video id has at most ${rules().maxIdChars} characters and no control characters.` });
    const d = dur.value === "" ? null : Number(dur.value);
    const cap = rules().maxTotalSeconds;
    if (d !== null && !(d > 0 && d <= cap)) errors.push({ input: dur, message: `A length from 1 to ${cap} seconds, or leave it empty.` });
    else if (d !== null && tooLongToExtend(d))
      errors.push({ input: dur, message: "A video this long cannot be extended: one more step would pass the 3-minute cap." });
    if (!report(errors)) return;
    setSource({ videoId: v, duration: d, model: null, url: null, label: "Pasted video id" });
  });

  // Text to video, today's models first, and the retired ones the extend path takes.
  forms.t2v = new ModelForm("text2video", formEls("t2v"), { legacy: true });
  bindCounter($("#t2v-prompt"), $("#t2v-prompt-count"));
  $("#panel-generate").addEventListener("submit", (e) => generate(e, TEXT_TO_VIDEO));

  // Omni-Video, with the current source as an optional reference video.
  const ref = $("#omni-ref");
  forms.omni = new ModelForm("omni-video", formEls("omni"), {
    durationFacts: () => (ref.checked ? [] : ["text_or_first_frame"]),
  });
  const showRef = () => {
    $("#omni-ref-type").disabled = !ref.checked;
    clearFieldError(ref);
    forms.omni.refresh();
  };
  ref.addEventListener("change", showRef);
  showRef();
  // Multi-shot, where the model's row has it: one prompt per line, the length shared out.
  const multi = $("#omni-multi");
  const showShots = () => {
    const offered = forms.omni.row().features.includes("multi_shot");
    $("#omni-shots-field").hidden = !offered;
    if (!offered) multi.checked = false;
    $("#omni-shots").disabled = !multi.checked;
    clearFieldError(multi);
  };
  multi.addEventListener("change", showShots);
  $("#omni-model").addEventListener("change", showShots);
  showShots();
  bindCounter($("#omni-prompt"), $("#omni-prompt-count"));
  $("#panel-omni").addEventListener("submit", (e) => generate(e, OMNI_VIDEO));
}

/** The generation forms (`ModelForm`), by their id prefix. */
const forms = {};

const formEls = (p) => ({
  model: $(`#${p}-model`),
  duration: $(`#${p}-duration`),
  mode: $(`#${p}-mode`),
  aspect: $(`#${p}-aspect`),
  sound: $(`#${p}-sound`),
  soundField: $(`#${p}-sound-field`),
  hint: $(`#${p}-model-hint`),
});

function reasonNotExtendable(s) {
  if (s.model && !extendable(s.model)) return `made by ${s.model}; ${onlyExtendable()}`;
  if (tooLongToExtend(s.duration)) return "one more extension would pass the 3-minute cap.";
  if (/30 days|purged|old/i.test(s.note ?? "")) return "older than 30 days; Kling has deleted it.";
  return (s.note ?? "Kling refuses it.").replace(/^not extendable:\s*/i, "");
}

function setSource(src, { quiet = false } = {}) {
  state.source = src;
  const box = $("#current-source");
  const facts = [src.model, src.duration ? fmtSeconds(src.duration) : "length unknown"].filter(Boolean).join(" · ");
  box.replaceChildren(
    h(
      "div",
      { class: "source-card" },
      src.url
        ? h("video", {
            class: "thumb",
            src: src.url,
            muted: true,
            playsinline: true,
            preload: "metadata",
            controls: true,
            "aria-label": "Source video preview",
          })
        : null,
      h(
        "div",
        {},
        h("p", { class: "source-label" }, h("strong", { text: "Source: " }), src.label),
        h("p", { class: "muted small" }, `${facts} · video `, h("code", { text: src.videoId })),
      ),
    ),
  );
  clearFieldError($("#samples"));
  $("#source-err").hidden = true;
  chain?.setSource(src);
  if (!quiet) announce(`Source set: ${src.label}, ${facts}.`);
}

function sourceErrors() {
  const s = state.source;
  const target = $("#samples");
  target.dataset.err = "source-err";
  if (!s) return [{ input: target, message: "Pick a source video first (a sample, a video id, or generate one)." }];
  if (s.model && !extendable(s.model)) return [{ input: target, message: `This source was made by ${s.model}; ${onlyExtendable()}` }];
  if (s.duration && tooLongToExtend(s.duration))
    return [{ input: target, message: "This source is too long: one more extension would pass the 3-minute cap." }];
  return [];
}

// ------------------------------------------------------------------------------- shared running

function busy(button, on, label) {
  if (on) {
    button.dataset.label ??= button.innerHTML;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    button.textContent = label;
  } else {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    if (button.dataset.label) button.innerHTML = button.dataset.label;
  }
}

/**
 * Follows a created task in a card until it ends. Stop aborts only the wait (there is no cancel
 * in Kling's API); "Wait again" resumes it.
 */
function follow(card, taskId, waitFn, onDone) {
  const controller = new AbortController();
  card.onStop = () => controller.abort();
  waitFn(taskId, { signal: controller.signal, pollIntervalMs: state.pollIntervalMs, onProgress: (t) => card.update(t) })
    .then(async (task) => {
      card.succeed(task);
      refreshBudget();
      await onDone(task);
    })
    .catch((err) => {
      refreshBudget();
      if (err?.code === "ERR_KLING_ABORTED") {
        card.stopped(() => {
          card.resume();
          follow(card, taskId, waitFn, onDone);
        });
      } else {
        card.fail(err, state.via);
        if (err?.code === "ERR_KLING_TASK_FAILED") history.load(1);
      }
    });
}

// ----------------------------------------------------------------------------------- generation

/** Text to video: the prompt and the form's fields. */
const TEXT_TO_VIDEO = {
  prefix: "t2v",
  title: "Text to video",
  resource: (c) => c.textToVideo,
  params: () => ({ prompt: $("#t2v-prompt").value, ...forms.t2v.params() }),
  check: () => [],
  fields: () => ({}),
  label: "Generated",
};

/** Omni-Video: the prompt, the form's fields and, when asked, the current source as `<<<video_1>>>`. */
const OMNI_VIDEO = {
  prefix: "omni",
  title: "Omni-Video",
  resource: (c) => c.omniVideo,
  params: () => {
    const p = { prompt: $("#omni-prompt").value, ...forms.omni.params() };
    if ($("#omni-ref").checked) p.video_list = [{ video_url: state.source.url, refer_type: $("#omni-ref-type").value }];
    if ($("#omni-multi").checked) Object.assign(p, shotsOf(shotLines(), Number(p.duration)));
    return p;
  },
  check: () => {
    const ref = $("#omni-ref");
    const errors = [];
    if (ref.checked && !state.source?.url)
      errors.push({
        input: ref,
        message: "Pick a source video with a URL first (a sample or a generated video): Kling reads the reference from it.",
      });
    const duration = Number(forms.omni.params().duration);
    if ($("#omni-multi").checked && !(shotLines().length >= 2 && shotLines().length <= duration))
      errors.push({ input: $("#omni-shots"), message: `Write from 2 shots to one a second (${duration}), one prompt per line.` });
    return errors;
  },
  fields: () => ({ video_list: $("#omni-ref"), multi_prompt: $("#omni-shots"), multi_shot: $("#omni-multi") }),
  label: "Omni-Video",
};

/** The shots' prompts, one a line, blank lines left out. */
const shotLines = () =>
  $("#omni-shots")
    .value.split("\n")
    .map((l) => l.trim())
    .filter(Boolean);

/**
 * Multi-shot fields for `prompts` sharing `seconds`: whole seconds each, the first shots taking
 * the remainder, so the shots add up to the video's length as Kling requires.
 */
function shotsOf(prompts, seconds) {
  const base = Math.floor(seconds / prompts.length);
  const extra = seconds % prompts.length;
  const multi_prompt = prompts.map((prompt, i) => ({ index: i + 1, prompt, duration: String(base + (i < extra ? 1 : 0)) }));
  return { multi_shot: true, shot_type: "customize", multi_prompt };
}

/** Generates a source with `kind` (TEXT_TO_VIDEO or OMNI_VIDEO) and makes its result the source. */
async function generate(e, kind) {
  e.preventDefault();
  const p = kind.prefix;
  const slot = $(`#${p}-error`);
  clearError(slot);
  const prompt = $(`#${p}-prompt`);
  const fieldEls = {
    prompt,
    model_name: $(`#${p}-model`),
    duration: $(`#${p}-duration`),
    mode: $(`#${p}-mode`),
    aspect_ratio: $(`#${p}-aspect`),
    sound: $(`#${p}-sound`),
    ...kind.fields(),
  };
  for (const el of Object.values(fieldEls)) clearFieldError(el);
  if (!report([checkPrompt(prompt, "The prompt", { required: true }), ...kind.check()].filter(Boolean))) return;
  const params = kind.params();
  const btn = $(`#${p}-submit`);
  busy(btn, true, "Submitting…");
  const started = performance.now();
  try {
    const resource = kind.resource(client());
    const created = await resource.create(params);
    const card = new TaskCard({ title: kind.title, subtitle: forms[p].summary(params) });
    card.started = started;
    card.update(created);
    follow(
      card,
      created.task_id,
      (id, o) => resource.wait(id, o),
      async (task) => {
        const v = task.task_result?.videos?.[0];
        if (!v) return;
        for (const r of $$('input[name="sample"]')) r.checked = false;
        setSource({
          videoId: v.id,
          duration: Number(v.duration),
          model: params.model_name,
          url: v.url,
          label: `${kind.label}: “${params.prompt.slice(0, 40)}${params.prompt.length > 40 ? "…" : ""}”`,
        });
      },
    );
  } catch (err) {
    placeKlingError(err, fieldEls);
    showError(slot, err, { via: state.via, title: "Could not start the video." });
  } finally {
    busy(btn, false);
  }
}

// ------------------------------------------------------------------------------------ extension

const ext = {};

function setupExtend() {
  ext.prompt = $("#ext-prompt");
  ext.negative = $("#ext-negative");
  ext.cfg = $("#ext-cfg");
  ext.external = $("#ext-external");
  ext.watermark = $("#ext-watermark");
  bindCounter(ext.prompt, $("#ext-prompt-count"));
  bindCounter(ext.negative, $("#ext-negative-count"));
  const out = $("#ext-cfg-out");
  const showCfg = () => (out.textContent = Number(ext.cfg.value).toFixed(2));
  ext.cfg.addEventListener("input", showCfg);
  showCfg();
  ext.external.addEventListener("input", () => clearFieldError(ext.external));
  $("#extend-form").addEventListener("submit", extend);
  $("#result-use").addEventListener("click", () => {
    if (!state.result) return;
    for (const r of $$('input[name="sample"]')) r.checked = false;
    setSource(state.result);
    ext.prompt.focus();
  });
}

const fieldMap = () => ({
  prompt: ext.prompt,
  negative_prompt: ext.negative,
  cfg_scale: ext.cfg,
  external_task_id: ext.external,
  watermark_info: ext.watermark,
  video_id: $("#samples"),
});

function sharedErrors() {
  [ext.negative, ext.cfg, ext.external, ext.watermark].forEach(clearFieldError);
  return [checkPrompt(ext.negative, "The negative prompt"), checkCfg(ext.cfg), checkExternalId(ext.external)].filter(Boolean);
}

function sharedParams() {
  const p = { cfg_scale: Number(ext.cfg.value), watermark_info: { enabled: ext.watermark.checked } };
  if (ext.negative.value.trim()) p.negative_prompt = ext.negative.value;
  if (ext.external.value.trim()) p.external_task_id = ext.external.value.trim();
  return p;
}

async function extend(e) {
  e.preventDefault();
  const slot = $("#ext-error");
  clearError(slot);
  clearFieldError(ext.prompt);
  const errors = [...sourceErrors(), checkPrompt(ext.prompt, "The prompt"), ...sharedErrors()].filter(Boolean);
  if (!report(errors)) return;
  const src = state.source;
  const params = { video_id: src.videoId, ...sharedParams() };
  if (ext.prompt.value.trim()) params.prompt = ext.prompt.value;
  const btn = $("#ext-submit");
  busy(btn, true, "Submitting…");
  const started = performance.now();
  try {
    const c = client();
    const created = await c.extensions.create(params);
    const card = new TaskCard({ title: "Extension", subtitle: `of ${src.label}` });
    card.started = started;
    card.update(created);
    if (params.external_task_id) ext.external.value = ""; // unique per account: don't reuse by accident
    follow(
      card,
      created.task_id,
      (id, o) => c.extensions.wait(id, o),
      async (task) => {
        showResult(task, src);
        history.load(1);
      },
    );
  } catch (err) {
    placeKlingError(err, fieldMap());
    showError(slot, err, { via: state.via, title: "The extension was not started." });
  } finally {
    busy(btn, false);
  }
}

function showResult(task, src) {
  const v = task.task_result?.videos?.[0];
  if (!v) return;
  const video = $("#result-video");
  video.hidden = false;
  $("#player-empty").hidden = true;
  video.src = v.url;
  video.load();
  state.result = {
    videoId: v.id,
    duration: Number(v.duration),
    model: src?.model ?? null,
    url: v.url,
    label: `Extended video (${fmtSeconds(v.duration)})`,
  };
  $("#result-meta").replaceChildren(
    h("strong", { text: fmtSeconds(v.duration) }),
    " · video ",
    h("code", { text: v.id }),
    task.final_unit_deduction !== undefined ? ` · ${task.final_unit_deduction} units` : "",
  );
  $("#result-actions").hidden = false;
  $("#result-open").href = v.url;
  const wm = $("#result-wm");
  wm.hidden = !v.watermark_url;
  if (v.watermark_url) wm.href = v.watermark_url;
}

// ---------------------------------------------------------------------------------------- chain

function setupChain() {
  chain = new ChainBuilder();
  chain.setSource(state.source);
  $("#chain-form").addEventListener("submit", runChain);
  if (state.session) {
    loadChainRuns();
    // A chain runs on the service: after a reload (or in another tab) the page follows it again.
    const running = localStorage.getItem(RUNNING_CHAIN_KEY);
    if (running) followServiceChain(running, state.source);
  }
}

const RUNNING_CHAIN_KEY = "kling-edge-demo-chain";

/** The service's routes with the demo user's session. */
async function service(path, init = {}) {
  const r = await fetch(`${location.origin}${path}`, {
    ...init,
    cache: "no-store",
    headers: { authorization: `Bearer ${await sessionToken()}`, "content-type": "application/json", ...(init.headers ?? {}) },
  });
  const body = await r.json().catch(() => null);
  if (!r.ok) throw Object.assign(new Error(body?.error?.message ?? `HTTP ${r.status}`), body?.error ?? {}, { status: r.status });
  return body;
}

/** A chain step of the service as the task shape the cards and the player take. */
function stepTask(s) {
  const task = { task_id: s.task_id ?? "", task_status: s.status === "pending" ? "submitted" : s.status };
  if (s.video)
    task.task_result = { videos: [{ ...s.video, url: s.video.media_url ? `${location.origin}${s.video.media_url}` : s.video.url }] };
  if (s.units !== undefined) task.final_unit_deduction = s.units;
  if (s.message) task.task_status_msg = s.message;
  return task;
}

/** The user's chains on the service, newest first, each playable when done. */
async function loadChainRuns() {
  const list = $("#chain-runs");
  try {
    const { data } = await service("/chains?pageSize=10");
    list.replaceChildren(
      ...data.map((c) => {
        const last = [...c.steps].reverse().find((s) => s.video);
        const play = last ? h("button", { type: "button", class: "btn btn-secondary", text: "Play" }) : "";
        if (play) play.addEventListener("click", () => showResult(stepTask(last), state.source));
        return h(
          "li",
          { "data-status": c.status, "data-id": c.id },
          h("code", { text: c.external_task_id }),
          ` · ${c.status} · ${c.steps.filter((s) => s.status === "succeed").length} of ${c.step_count} steps · ${c.length ?? 0} s · ${c.spent} units `,
          play,
        );
      }),
    );
    $("#chain-runs-box").hidden = data.length === 0;
  } catch {
    // the list is a convenience; the run itself reports its errors
  }
}

/** Follows a service chain until it ends, step cards and segments live. */
async function followServiceChain(id, src) {
  const slot = $("#chain-error");
  const btn = $("#chain-submit");
  busy(btn, true, "Running chain…");
  chain.setBusy(true);
  const cards = [];
  try {
    for (;;) {
      const c = await service(`/chains/${encodeURIComponent(id)}`);
      $("#chain-run").textContent = `Chain ${c.external_task_id}: ${c.status} (runs on the service; reload or close the tab, it goes on).`;
      for (const s of c.steps) {
        if (s.status === "waiting") continue;
        const task = stepTask(s);
        cards[s.step - 1] ??= new TaskCard({
          title: `Chain step ${s.step} of ${c.step_count}`,
          subtitle: `“${(c.prompts[s.step - 1] ?? "").slice(0, 40)}”`,
        });
        const card = cards[s.step - 1];
        chain.mark(s.step - 1, task.task_status, s.duration);
        if (card.status === task.task_status) continue;
        if (task.task_status === "succeed") {
          card.succeed(task);
          showResult(task, src);
        } else if (task.task_status === "failed")
          card.fail(Object.assign(new Error(s.message ?? "the task failed"), { code: "ERR_KLING_TASK_FAILED" }), state.via);
        else card.update(task);
      }
      if (c.status !== "running") {
        localStorage.removeItem(RUNNING_CHAIN_KEY);
        if (c.status === "succeed") announce(`Chain finished: ${fmtSeconds(c.length)}.`);
        else
          showError(slot, Object.assign(new Error(c.error?.message ?? "the chain failed"), c.error ?? {}), {
            via: state.via,
            title: `The chain stopped at step ${c.error?.step ?? "?"}; resume runs it on from there.`,
          });
        break;
      }
      await new Promise((r) => setTimeout(r, state.pollIntervalMs ?? 5000));
    }
  } catch (err) {
    showError(slot, err, { via: state.via, title: "The chain could not be followed." });
  } finally {
    busy(btn, false);
    chain.setBusy(false);
    loadChainRuns();
    history.load(1);
  }
}

async function runChain(e) {
  e.preventDefault();
  const slot = $("#chain-error");
  clearError(slot);
  chain.showListError("");
  const errors = [...sourceErrors(), ...chain.validate(), ...sharedErrors()];
  if (!report(errors)) return;
  const src = state.source;
  const params = { video_id: src.videoId, prompts: chain.prompts(), ...sharedParams() };
  if (src.duration) params.video_duration = src.duration;
  if (via() === "edge" && state.session) {
    chain.resetRun();
    try {
      const started = await service("/chains", { method: "POST", body: JSON.stringify(params) });
      localStorage.setItem(RUNNING_CHAIN_KEY, started.id);
      if (params.external_task_id) ext.external.value = "";
      await followServiceChain(started.id, src);
    } catch (err) {
      if (err?.field === "prompts" || err?.field === "video_duration") chain.showListError(err.message);
      else placeKlingError(err, fieldMap());
      showError(slot, err, { via: state.via, title: "The chain was not started." });
    }
    return;
  }
  const btn = $("#chain-submit");
  busy(btn, true, "Running chain…");
  chain.setBusy(true);
  chain.resetRun();
  const controller = new AbortController();
  const cards = [];
  const started = performance.now();
  try {
    const steps = await client().extensions.chain(params, {
      signal: controller.signal,
      pollIntervalMs: state.pollIntervalMs,
      onProgress: (task, info) => {
        const { step, steps: total } = info ?? { step: cards.length || 1, steps: params.prompts.length };
        let card = cards[step - 1];
        if (!card) {
          card = cards[step - 1] = new TaskCard({
            title: `Chain step ${step} of ${total}`,
            subtitle: `“${params.prompts[step - 1].slice(0, 40)}”`,
            onStop: () => controller.abort(),
          });
          if (step === 1) card.started = started;
        }
        const v = task.task_result?.videos?.[0];
        chain.mark(step - 1, task.task_status, v ? Number(v.duration) : undefined);
        if (task.task_status === "succeed") {
          card.succeed(task);
          showResult(task, src);
        } else card.update(task);
      },
    });
    if (params.external_task_id) ext.external.value = "";
    const last = steps.at(-1);
    showResult(last, src);
    announce(`Chain finished: ${fmtSeconds(last.task_result.videos[0].duration)}.`);
    history.load(1);
  } catch (err) {
    const open = cards.find((c) => !["succeed", "failed", "stopped", "error"].includes(c.status));
    if (err?.code === "ERR_KLING_ABORTED") {
      if (open) open.stopped();
      showError(slot, err, {
        via: state.via,
        title: `Chain stopped after ${err.completed?.length ?? 0} finished step(s). Later steps were not submitted.`,
      });
    } else {
      if (open) open.fail(err, state.via);
      if (err?.field === "prompts" || err?.field === "video_duration") chain.showListError(err.message);
      else placeKlingError(err, fieldMap());
      showError(slot, err, {
        via: state.via,
        title: err?.completed?.length ? `The chain stopped after ${err.completed.length} finished step(s).` : "The chain was not started.",
      });
      if (err?.completed?.length) showResult(err.completed.at(-1), src);
    }
    history.load(1);
  } finally {
    busy(btn, false);
    chain.setBusy(false);
  }
}
