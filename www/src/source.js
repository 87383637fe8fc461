// The source video every extension and chain starts from. The "Source" card offers the demo's
// samples (each labelled extendable or not, and why, by the package's rules), a pasted video id,
// and the generation panels (generate.js); whichever is chosen becomes `state.source`, shows in
// the source card, and is announced ("source" event). `sourceErrors()` says, before anything is
// sent, why the current source cannot be extended.
import { isValidId } from "../vendor/kling-edge/index.browser.js";
import { $, $$, announce, fmtSeconds, h } from "./dom.js";
import { clearFieldError, report, rules } from "./fields.js";
import { extendableModels, isRetired, listWords, modelRow } from "./models.js";
import { emit, state } from "./state.js";

// Which models still extend, and how long a video may get: the package's rules, never copied here.
const extendable = (model) => extendableModels().includes(model);
const onlyExtendable = () => `only videos of ${listWords(extendableModels())} can still be extended.`;
const tooLongToExtend = (seconds) => Number(seconds) + rules().maxStepSeconds > rules().maxTotalSeconds;

/** The samples, the pasted-id form and the switch between the source panels. */
export function setupSource() {
  setupSamples();
  const showPanel = () => {
    const kind = $('input[name="source-kind"]:checked').value;
    $("#panel-sample").hidden = kind !== "sample";
    $("#panel-id").hidden = kind !== "id";
    $("#panel-generate").hidden = kind !== "generate";
    $("#panel-omni").hidden = kind !== "omni";
  };
  for (const r of $$('input[name="source-kind"]')) r.addEventListener("change", showPanel);
  showPanel();
  $("#panel-id").addEventListener("submit", usePastedId);
}

function setupSamples() {
  const { samples, mode } = state.config;
  const box = $("#samples");
  for (const s of samples) box.append(sampleItem(s));
  const retired = [...new Set(samples.map((s) => s.model).filter(isRetired))];
  if (retired.length) {
    const dates = [...new Set(retired.map((m) => modelRow(m).retired.date))];
    const note = $("#samples-retired");
    note.textContent = `These samples were made by ${listWords(retired)}, which Kling retired (${listWords(dates)}): video-extend, the legacy path, takes only videos of ${listWords(extendableModels())}, so they stay to show it. New videos are made with today's models: Generate or Omni-Video.`;
    note.hidden = false;
  }
  box.addEventListener("change", (e) => {
    const s = samples.find((x) => x.id === e.target.value);
    if (s) setSource(sampleSource(s));
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
    setSource(sampleSource(first), { quiet: true });
  }
}

const sampleSource = (s) => ({ videoId: s.id, duration: Number(s.duration), model: s.model, url: s.url, label: `Sample “${s.name}”` });

/** A sample's radio, its model and length, and whether it can be extended (and why not). */
function sampleItem(s) {
  const noteId = `sample-${s.id}-note`;
  const model = s.model ?? "";
  const why = s.extendable ? null : reasonNotExtendable(s);
  return h(
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
  );
}

/** A pasted video id (and its length, if known) as the source. */
function usePastedId(e) {
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
}

function reasonNotExtendable(s) {
  if (s.model && !extendable(s.model)) return `made by ${s.model}; ${onlyExtendable()}`;
  if (tooLongToExtend(s.duration)) return "one more extension would pass the 3-minute cap.";
  if (/30 days|purged|old/i.test(s.note ?? "")) return "older than 30 days; Kling has deleted it.";
  return (s.note ?? "Kling refuses it.").replace(/^not extendable:\s*/i, "");
}

/** Unticks the samples: the source now comes from elsewhere (a generated or extended video). */
export function clearSampleChoice() {
  for (const r of $$('input[name="sample"]')) r.checked = false;
}

/** Makes `src` the source: the source card shows it, and the "source" event tells the rest. */
export function setSource(src, { quiet = false } = {}) {
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
  emit("source", src);
  if (!quiet) announce(`Source set: ${src.label}, ${facts}.`);
}

/** Why the current source cannot be extended, as field errors (none when it can). */
export function sourceErrors() {
  const s = state.source;
  const target = $("#samples");
  target.dataset.err = "source-err";
  if (!s) return [{ input: target, message: "Pick a source video first (a sample, a video id, or generate one)." }];
  if (s.model && !extendable(s.model)) return [{ input: target, message: `This source was made by ${s.model}; ${onlyExtendable()}` }];
  if (s.duration && tooLongToExtend(s.duration))
    return [{ input: target, message: "This source is too long: one more extension would pass the 3-minute cap." }];
  return [];
}
