// "Make a long video", the page's main flow: a first clip (made here with text to video, or the
// current source), then one shot per prompt, each continuing the clip before it. Two ways:
// - next-shot on the service (`POST /chains` with `method: "next-shot"`, a durable Workflow): the
//   page follows the chain (`GET /chains/:id`), shows each clip as it finishes and plays the
//   chain's joined video (`video_url`), which the service serves growing; after a reload the page
//   follows it again (LONG_CHAIN_KEY);
// - last-frame in this page (`kling.chains.run` with `method: "last-frame"` on the page's client:
//   the service's facade, or the user's own keys): the package reads each clip's last frame here,
//   and the page joins the clips itself (kling-edge/mp4). With the user's own keys every method
//   runs in the page (there is no service then).
// The models, durations and modes come from the package (models.js asks its chain planner); the
// plan is checked by the package before anything is sent.
import { planChain } from "../vendor/kling-edge/index.browser.js";
import { LONG_CHAIN_KEY, stepTask } from "./chain-list.js";
import { $, $$, announce, busy, charCount, fmtSeconds, h } from "./dom.js";
import { clearError, showError } from "./errors.js";
import { bindCounter, checkPrompt, clearFieldError, placeKlingError, report, rules } from "./fields.js";
import { LongPlayer, videoFilename } from "./long-player.js";
import { chainDurations, chainModels, durationWords, familyCaps } from "./models.js";
import { service } from "./session.js";
import { clearSampleChoice, setSource } from "./source.js";
import { client, emit, on, state, via } from "./state.js";
import { TaskCard } from "./tasks.js";

const FIRST_SHOTS = ["The keeper climbs the spiral stairs", "The great lamp turns over the sea", "Gulls wheel past the light at dusk"];
let nextId = 1;

/** The form's state: the shots (`{id, text, duration}`) and the player. */
const form = { shots: [], player: null, running: false };

const method = () => $('input[name="long-method"]:checked').value;
const sourceKind = () => $('input[name="long-source"]:checked').value;
/** Whether the chain runs on the service: next-shot through the edge function, with a session. */
const onService = () => method() === "next-shot" && via() === "edge" && Boolean(state.session);
/** The text-to-video row a first clip is made with: its family's current model. */
const firstClipRow = () => {
  const caps = familyCaps("text2video");
  return caps.models.find((m) => m.name === caps.currentModel);
};

/** The long-video form, its player, and (with a session) the chain this tab was following. */
export function setupLongVideo() {
  form.player = new LongPlayer();
  const row = firstClipRow();
  $("#long-new-model").textContent = `(text to video, ${row.name})`;
  fillSelect($("#long-first-duration"), row.durations, "5", (d) => `${d} s`);
  bindCounter($("#long-first"), $("#long-first-count"));
  for (const text of FIRST_SHOTS) form.shots.push({ id: nextId++, text, duration: "5" });
  for (const r of $$('input[name="long-method"]')) r.addEventListener("change", () => fillModels());
  for (const r of $$('input[name="long-source"]')) r.addEventListener("change", showSource);
  $("#long-model").addEventListener("change", () => fillModel());
  $("#long-first-duration").addEventListener("change", renderTotal);
  $("#long-add").addEventListener("click", () => {
    form.shots.push({ id: nextId++, text: "", duration: defaultDuration() });
    renderShots();
    form.shots.at(-1).input.focus();
  });
  $("#long-form").addEventListener("submit", submit);
  on("source", showSource);
  on("tasks", describeMethod); // the connection changed (edge function or the user's own keys)
  fillModels();
  showSource();
  if (state.session) {
    const running = localStorage.getItem(LONG_CHAIN_KEY);
    if (running) followOnService(running).catch(() => {});
  }
}

function fillSelect(select, values, keep, label = (v) => v) {
  select.replaceChildren(...values.map((v) => h("option", { value: v, text: label(v) })));
  if (values.includes(keep)) select.value = keep;
  return select.value;
}

/** The models the method continues with (asked of the package), its preferred one selected again. */
function fillModels() {
  const { models, preferred } = chainModels(method());
  fillSelect($("#long-model"), models, preferred);
  describeMethod();
  fillModel();
}

/** What the method does, and where it runs (the service, or this page: it follows the connection). */
function describeMethod() {
  const how =
    method() === "next-shot"
      ? "Each shot is made with Omni-Video, the clip before as its reference."
      : "Each shot starts from the clip before's last frame, read in this page.";
  const where = onService()
    ? "The chain runs on the service: close the tab and it goes on; the service serves the joined video."
    : method() === "next-shot"
      ? "With your own keys it runs in this page, and the page joins the clips."
      : "It runs in this page, which must stay open, and the page joins the clips itself.";
  $("#long-method-hint").textContent = `${how} ${where}`;
  $("#long-next-where").textContent = via() === "edge" && state.session ? "(on the service)" : "(in this page)";
}

/** The selected model's modes, its shots' durations, and what it takes. */
function fillModel() {
  const model = $("#long-model").value;
  const ds = chainDurations(method(), model);
  const row = [...Object.values(rules().families)].flatMap((f) => f.models).find((m) => m.name === model);
  fillSelect($("#long-mode"), row?.modes ?? [], $("#long-mode").value || row?.modes[0]);
  for (const s of form.shots) if (!ds.includes(s.duration)) s.duration = defaultDuration(ds);
  $("#long-model-hint").textContent = `${model}: ${durationWords(ds)} a shot · ${(row?.modes ?? []).join(" or ")}.`;
  renderShots();
}

const defaultDuration = (ds = chainDurations(method(), $("#long-model").value)) => (ds.includes("5") ? "5" : ds[0]);

/** The first clip's fields, or what the current source is. */
function showSource() {
  const kind = sourceKind();
  $("#long-new").hidden = kind !== "new";
  const note = $("#long-current");
  note.hidden = kind !== "current";
  const src = state.source;
  note.textContent = src
    ? `${src.label} · ${src.duration ? fmtSeconds(src.duration) : "length unknown"}${src.model ? ` · ${src.model}` : ""}: the first clip of the long video.`
    : "No source yet: pick one in “Source video” below, or start from a new clip.";
  clearFieldError($("#long-source"));
  renderTotal();
}

function renderShots() {
  const ds = chainDurations(method(), $("#long-model").value);
  const list = $("#long-shots");
  list.replaceChildren(
    ...form.shots.map((shot, i) => {
      const id = `long-shot-${shot.id}`;
      const count = h("span", { class: "count", id: `${id}-count` });
      shot.input = h("textarea", { id, rows: 2, "aria-describedby": `${id}-count ${id}-err`, placeholder: "What happens in this shot" });
      shot.input.value = shot.text;
      shot.input.disabled = form.running;
      shot.input.addEventListener("input", () => (shot.text = shot.input.value));
      bindCounter(shot.input, count);
      const len = h("select", { id: `${id}-len`, class: "shot-len", "aria-label": `Shot ${i + 1}'s length` });
      fillSelect(len, ds, shot.duration, (d) => `${d} s`);
      len.disabled = form.running;
      len.addEventListener("change", () => {
        shot.duration = len.value;
        renderTotal();
      });
      const del = h(
        "button",
        {
          type: "button",
          class: "icon-btn danger",
          "aria-label": `Remove shot ${i + 1}`,
          title: "Remove",
          disabled: form.running || form.shots.length === 1,
          onclick: () => removeShot(shot),
        },
        "✕",
      );
      return h(
        "li",
        { class: "chain-step" },
        h("div", { class: "label-row" }, h("label", { for: id, text: `Shot ${i + 1}` }), count),
        h("div", { class: "chain-row" }, shot.input, len, h("div", { class: "chain-tools" }, del)),
        h("p", { class: "field-error", id: `${id}-err`, hidden: true }),
      );
    }),
  );
  list.dataset.err = "long-shots-err";
  list.tabIndex = -1;
  renderTotal();
}

function removeShot(shot) {
  const i = form.shots.indexOf(shot);
  form.shots.splice(i, 1);
  renderShots();
  (form.shots[Math.min(i, form.shots.length - 1)]?.input ?? $("#long-add")).focus();
}

/** The first clip's length, when known. */
function firstSeconds() {
  if (sourceKind() === "new") return Number($("#long-first-duration").value);
  const d = Number(state.source?.duration);
  return Number.isFinite(d) && d > 0 ? d : null;
}

function renderTotal() {
  const first = firstSeconds();
  const shots = form.shots.map((s) => Number(s.duration));
  const sum = shots.reduce((a, b) => a + b, 0);
  const max = rules().maxTotalSeconds;
  const total = first === null ? null : first + sum;
  $("#long-total").textContent =
    total === null
      ? `first clip + ${shots.length} shot${shots.length === 1 ? "" : "s"} of ${fmtSeconds(sum)} (at most ${fmtSeconds(max)})`
      : `${fmtSeconds(first)} + ${shots.map((s) => fmtSeconds(s)).join(" + ")} = ${fmtSeconds(total)} of ${fmtSeconds(max)}${total > max ? " — too long" : ""}`;
}

/** The chain's parameters (the source filled in by the caller). */
function chainParams() {
  return {
    method: method(),
    model_name: $("#long-model").value,
    mode: $("#long-mode").value,
    prompts: form.shots.map((s) => ({ prompt: s.input.value, duration: s.duration })),
  };
}

/** Where the package's or the service's refusal of a field goes on the form. */
const fieldMap = () => ({
  prompts: $("#long-shots"),
  prompt: $("#long-shots"),
  duration: $("#long-shots"),
  model_name: $("#long-model"),
  mode: $("#long-mode"),
  video_id: $("#long-source"),
  video_url: $("#long-source"),
  video_duration: $("#long-source"),
  max_seconds: $("#long-shots"),
});

/** Errors before anything is sent: the prompts, the source, and the package's plan of the chain. */
function check() {
  const errors = [];
  clearFieldError($("#long-shots"));
  clearFieldError($("#long-source"));
  clearFieldError($("#long-model"));
  clearFieldError($("#long-mode"));
  if (sourceKind() === "new") {
    clearFieldError($("#long-first"));
    const e = checkPrompt($("#long-first"), "The first clip's prompt", { required: true });
    if (e) errors.push(e);
  } else {
    const src = state.source;
    if (!src)
      errors.push({ input: $("#long-source"), message: "Pick a source first (in “Source video” below), or start from a new clip." });
    else if (!onService() && !src.url)
      errors.push({ input: $("#long-source"), message: "This source has no URL the page can read: pick a sample or a generated video." });
  }
  if (form.shots.length === 0) errors.push({ input: $("#long-shots"), message: "Add at least one shot." });
  form.shots.forEach((s, i) => {
    clearFieldError(s.input);
    const e = checkPrompt(s.input, `Shot ${i + 1}'s prompt`, { required: true });
    if (e) errors.push(e);
  });
  if (errors.length) return errors;
  try {
    const first = firstSeconds();
    planChain({
      ...chainParams(),
      video_url: state.source?.url && sourceKind() === "current" ? state.source.url : "https://example.invalid/first.mp4",
      ...(first ? { video_duration: first } : {}),
    });
  } catch (err) {
    const input = fieldMap()[err.field] ?? $("#long-shots");
    errors.push({ input, message: err.message });
  }
  return errors;
}

function setRunning(on) {
  form.running = on;
  busy($("#long-submit"), on, "Making the long video…");
  for (const el of $$("#long-form input, #long-form select, #long-form textarea")) el.disabled = on;
  $("#long-add").disabled = on;
  if (!on) renderShots();
}

const status = (text) => ($("#long-status").textContent = text);

async function submit(e) {
  e.preventDefault();
  const slot = $("#long-error");
  clearError(slot);
  if (form.running || !report(check())) return;
  setRunning(true);
  form.player.reset();
  try {
    const src = sourceKind() === "new" ? await makeFirstClip() : state.source;
    if (!src) return;
    if (onService()) await startOnService(src);
    else await runInPage(src);
  } finally {
    setRunning(false);
  }
}

/** The first clip, made with text to video (the family's current model); it becomes the source too. */
async function makeFirstClip() {
  const slot = $("#long-error");
  const row = firstClipRow();
  const mode = $("#long-mode").value;
  const params = {
    model_name: row.name,
    prompt: $("#long-first").value,
    duration: $("#long-first-duration").value,
    mode: row.modes.includes(mode) ? mode : row.modes[0],
    aspect_ratio: row.aspectRatios[0],
  };
  const controller = new AbortController();
  const card = new TaskCard({
    title: "Long video: first clip",
    subtitle: `${row.name} · ${fmtSeconds(params.duration)}`,
    onStop: () => controller.abort(),
  });
  status("Making the first clip…");
  try {
    const task = await client().textToVideo.createAndWait(params, {
      signal: controller.signal,
      pollIntervalMs: state.pollIntervalMs,
      onProgress: (t) => card.update(t),
    });
    card.succeed(task);
    emit("budget");
    const v = task.task_result.videos[0];
    const src = {
      videoId: v.id,
      duration: Number(v.duration),
      model: row.name,
      url: v.url,
      label: `First clip: “${params.prompt.slice(0, 40)}${charCount(params.prompt) > 40 ? "…" : ""}”`,
    };
    clearSampleChoice();
    setSource(src, { quiet: true });
    return src;
  } catch (err) {
    if (err?.code === "ERR_KLING_ABORTED") card.stopped();
    else card.fail(err, state.via);
    placeKlingError(err, { prompt: $("#long-first"), duration: $("#long-first-duration"), mode: $("#long-mode") });
    showError(slot, err, { via: state.via, title: "The first clip was not made." });
    status("");
    emit("budget");
    return null;
  }
}

/** Starts the chain on the service and follows it. */
async function startOnService(src) {
  const slot = $("#long-error");
  const body = { ...chainParams(), video_id: src.videoId };
  if (src.duration) body.video_duration = src.duration;
  let started;
  try {
    started = await service("/chains", { method: "POST", body: JSON.stringify(body) });
  } catch (err) {
    if (!placeKlingError(err, fieldMap()) && err?.field && fieldMap()[err.field])
      report([{ input: fieldMap()[err.field], message: err.message }]);
    showError(slot, err, { via: state.via, title: "The long video was not started." });
    status("");
    return;
  }
  localStorage.setItem(LONG_CHAIN_KEY, started.id);
  emit("chains");
  await followOnService(started.id, src);
}

/**
 * Follows a chain on the service until it ends: each finished clip joins the strip, and the
 * joined video (`video_url`) is reloaded whenever it has a new clip. The service's joined video
 * leads with the source's clip (kept when it was made through the service): the strip does too
 * when the page knows it (`src`, the chain started here), else it shows the steps' clips.
 */
async function followOnService(id, src = null) {
  const slot = $("#long-error");
  const player = form.player;
  const wasRunning = form.running;
  if (!wasRunning) setRunning(true);
  let joinedClips = -1;
  const first = src?.url ? 1 : 0; // the strip's index of step 1's clip
  if (first) player.addClip(0, { url: src.url, duration: Number(src.duration), label: "first clip" });
  try {
    for (;;) {
      const c = await service(`/chains/${encodeURIComponent(id)}`);
      const done = c.steps.filter((s) => s.status === "succeed" && s.video);
      for (const s of done) {
        const v = stepTask(s).task_result.videos[0];
        if (player.addClip(s.step - 1 + first, { url: v.url, duration: Number(v.duration), label: shotLabel(c, s.step) }))
          announce(`Clip ${s.step} of ${c.step_count} is ready.`);
      }
      const shown = player.shown().length;
      if (c.video_url && shown !== joinedClips) {
        joinedClips = shown;
        player.setJoined(new URL(c.video_url, location.origin).href, videoFilename(c.external_task_id));
      }
      status(
        `Long video ${c.external_task_id} (${c.method ?? "next-shot"}, on the service): ${done.length} of ${c.step_count} clips · ${c.status}.`,
      );
      if (c.status !== "running") {
        localStorage.removeItem(LONG_CHAIN_KEY);
        if (c.status === "succeed") announce(`The long video is ready: ${fmtSeconds(player.shown().reduce((n, x) => n + x.duration, 0))}.`);
        else
          showError(slot, Object.assign(new Error(c.error?.message ?? "the chain failed"), c.error ?? {}), {
            via: state.via,
            title: `The long video stopped at shot ${c.error?.step ?? "?"}.`,
          });
        break;
      }
      await new Promise((r) => setTimeout(r, state.pollIntervalMs ?? 5000));
    }
  } catch (err) {
    showError(slot, err, { via: state.via, title: "The long video could not be followed." });
  } finally {
    if (!wasRunning) setRunning(false);
    emit("chains");
    emit("tasks");
    emit("budget");
  }
}

/** What the strip says of step `n`'s clip: its prompt, shortened. */
function shotLabel(chain, n) {
  const prompt = (chain.prompts?.[n - 1] ?? "").trim();
  return prompt ? `“${prompt.slice(0, 40)}${charCount(prompt) > 40 ? "…" : ""}”` : `shot ${n}`;
}

/**
 * Runs the chain in this page with the package (`kling.chains.run`): each finished clip joins the
 * strip and the joined video is made again here. The source is the joined video's first clip, as
 * in the package's `clips`.
 */
async function runInPage(src) {
  const slot = $("#long-error");
  const player = form.player;
  const params = { ...chainParams(), video_url: src.url, video_id: src.videoId };
  if (src.duration) params.video_duration = src.duration;
  const controller = new AbortController();
  const card = new TaskCard({
    title: `Long video: ${params.method}, in this page`,
    subtitle: `${params.prompts.length} shots · ${params.model_name}`,
    onStop: () => controller.abort(),
  });
  let filename = videoFilename("page");
  const join = () =>
    player.joinHere(filename).catch((err) => showError(slot, err, { via: state.via, title: "The clips could not be joined here." }));
  player.addClip(0, { url: src.url, duration: Number(src.duration), label: "first clip" });
  join();
  status(`Long video (${params.method}, in this page): 0 of ${params.prompts.length} shots.`);
  try {
    const run = await client().chains.run(params, {
      signal: controller.signal,
      pollIntervalMs: state.pollIntervalMs,
      onProgress: (task, info) => {
        card.update(task);
        const v = task.task_result?.videos?.[0];
        if (task.task_status !== "succeed" || !v || !info) return;
        if (
          player.addClip(info.step, {
            url: v.url,
            duration: Number(v.duration),
            label: `“${params.prompts[info.step - 1].prompt.slice(0, 40)}”`,
          })
        ) {
          announce(`Clip ${info.step} of ${info.steps} is ready.`);
          status(`Long video (${params.method}, in this page): ${info.step} of ${info.steps} shots.`);
          join();
        }
      },
    });
    filename = videoFilename(run.external_task_id);
    run.clips.forEach((clip, i) => {
      if (i > 0)
        player.addClip(i, { url: clip.url, duration: Number(clip.duration), label: `“${params.prompts[i - 1].prompt.slice(0, 40)}”` });
    });
    await join();
    card.succeed(run.tasks.at(-1));
    status(
      `Long video ${run.external_task_id} (${run.method}, in this page): ${run.tasks.length} of ${run.tasks.length} shots · ${fmtSeconds(run.duration)}.`,
    );
    announce(`The long video is ready: ${fmtSeconds(run.duration)}.`);
  } catch (err) {
    if (err?.code === "ERR_KLING_ABORTED") card.stopped();
    else card.fail(err, state.via);
    placeKlingError(err, fieldMap());
    showError(slot, err, {
      via: state.via,
      title: err?.completed?.length
        ? `The long video stopped after ${err.completed.length} shot(s); run it again with the prefix ${err.externalTaskId} to go on.`
        : "The long video was not made.",
    });
  } finally {
    emit("tasks");
    emit("budget");
  }
}
