// A generation form built from the package's capability table (`limits().families`): the models,
// and per model its durations, modes, aspect ratios and features. No model, duration or rule is
// written in the page; a new row in the package's table shows up here as it is.
import { planChain } from "../vendor/kling-edge/index.browser.js";
import { fmtSeconds, h } from "./dom.js";
import { rules } from "./fields.js";

/** The family's row of the capability table. */
export const familyCaps = (family) => rules().families[family];

/** The row of `model` in any generating family, or null. */
export function modelRow(model) {
  for (const f of Object.values(rules().families)) {
    const row = f.models.find((m) => m.name === model);
    if (row) return row;
  }
  return null;
}

/** Whether Kling stopped generating with `model` (retired or discontinued). */
export const isRetired = (model) => Boolean(modelRow(model)?.retired);

/** Models whose videos video-extend still takes: extendable, and not discontinued. */
export const extendableModels = () => rules().extendableModels.filter((m) => !rules().discontinuedModels.includes(m));

/** A clip URL for asking the package about a chain before there is a source (never fetched). */
const ANY_CLIP = "https://example.invalid/clip.mp4";

/** Whether the package's chain planner takes one step of `method` with `fields`. */
function chainTakes(method, fields) {
  try {
    return planChain({ method, video_url: ANY_CLIP, prompts: [{ prompt: "x", ...fields }] });
  } catch {
    return null;
  }
}

/**
 * The models a chain of `method` ("next-shot", "last-frame") may continue with: today's models
 * of every family whose steps the package's planner takes, and the one it picks by default
 * (the current model of the family its steps default to). Asked of the package, never listed here.
 */
export function chainModels(method) {
  const names = new Set();
  for (const family of Object.values(rules().families))
    for (const m of family.models) if (!m.retired && chainTakes(method, { model_name: m.name })) names.add(m.name);
  const plan = chainTakes(method, {});
  const preferred = plan ? familyCaps(plan.families[0])?.currentModel : null;
  return { models: [...names], preferred: names.has(preferred) ? preferred : [...names][0] };
}

/** The durations one step of a `method` chain with `model` may have (those the planner takes). */
export function chainDurations(method, model) {
  return (modelRow(model)?.durations ?? []).filter((d) => chainTakes(method, { model_name: model, duration: d }));
}

/** "a, b and c". */
export const listWords = (items) => (items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`);

/** Seconds offered, as "3–15 s" for a run of whole seconds, else "5 or 10 s". */
export function durationWords(durations) {
  const n = durations.map(Number);
  const run = n.length > 2 && n.every((d, i) => i === 0 || d === n[i - 1] + 1);
  return run ? `${n[0]}–${n.at(-1)} s` : `${listWords(durations)} s`;
}

/** A rule of the table in words, where the page has something to say about it. */
function ruleWords(rule) {
  if (rule.kind === "onlyInMode") return `${rule.when.replace(":on", "")} in ${rule.mode} mode only`;
  if (rule.kind === "durationsWhen" && rule.when === "text_or_first_frame")
    return `${durationWords(rule.durations)} from a prompt alone or a first frame`;
  if (rule.kind === "notWith") return `${rule.when.replace(":on", "")} not with ${rule.not}`;
  return null;
}

function fill(select, values, keep, label = (v) => v) {
  select.replaceChildren(...values.map((v) => h("option", { value: v, text: label(v) })));
  if (values.includes(keep)) select.value = keep;
  return select.value;
}

/**
 * The model, duration, mode, aspect-ratio and sound fields of one family's form. `els`: `model`,
 * `duration`, `mode`, `aspect`, `sound` (a checkbox, hidden with its `soundField` when the model
 * has no sound) and `hint`. `legacy`: also offer the retired models video-extend takes, in a group
 * of their own. `durationFacts()`: the facts of the request (e.g. `text_or_first_frame`) that
 * narrow the durations by the row's rules.
 */
export class ModelForm {
  constructor(family, els, { legacy = false, durationFacts = () => [] } = {}) {
    this.caps = familyCaps(family);
    this.els = els;
    this.durationFacts = durationFacts;
    const today = this.caps.models.filter((m) => !m.retired).reverse();
    const legacyRows = legacy ? this.caps.models.filter((m) => m.retired && extendableModels().includes(m.name)).reverse() : [];
    const option = (m) => h("option", { value: m.name, text: m.name });
    els.model.replaceChildren(
      h("optgroup", { label: "Today's models" }, ...today.map(option)),
      ...(legacyRows.length ? [h("optgroup", { label: "Retired: for the legacy extend path only" }, ...legacyRows.map(option))] : []),
    );
    els.model.value = this.caps.currentModel;
    els.model.addEventListener("change", () => this.refresh());
    els.mode.addEventListener("change", () => this.describe());
    this.refresh();
  }

  /** The selected model's row. */
  row() {
    return this.caps.models.find((m) => m.name === this.els.model.value) ?? this.caps.anyModel;
  }

  /** The durations the row allows for the request's facts. */
  durations() {
    const row = this.row();
    const facts = this.durationFacts();
    const narrowed = row.rules.filter((r) => r.kind === "durationsWhen" && facts.includes(r.when));
    return narrowed.reduce((ds, r) => ds.filter((d) => r.durations.includes(d)), row.durations);
  }

  /** Fills the fields for the selected model, keeping what still applies. */
  refresh() {
    const row = this.row();
    const { duration, mode, aspect, sound, soundField } = this.els;
    const ds = this.durations();
    fill(duration, ds, duration.value || (ds.includes("5") ? "5" : ds[0]), (d) => `${d} s`);
    fill(mode, row.modes, mode.value || row.modes[0]);
    fill(aspect, row.aspectRatios, aspect.value || row.aspectRatios[0]);
    const hasSound = row.features.includes("sound");
    soundField.hidden = !hasSound;
    if (!hasSound) sound.checked = false;
    this.describe();
  }

  /** The hint under the model: what it takes, its rules, and why a retired one is offered. */
  describe() {
    const row = this.row();
    const parts = [`${row.name}: ${durationWords(this.durations())}`, row.modes.join(" or ")];
    if (row.features.length) parts.push(row.features.join(", ").replaceAll("_", " "));
    const said = row.rules.map(ruleWords).filter(Boolean);
    let text = `${[...parts, ...said].join(" · ")}.`;
    if (row.retired)
      text += ` Retired by Kling on ${row.retired.date} (use ${row.retired.instead} instead): offered only because video-extend, the legacy path, takes only videos of ${listWords(extendableModels())}; this demo's account kept access to it.`;
    else if (row.name === this.caps.currentModel) text += " Today's model.";
    this.els.hint.textContent = text;
  }

  /** `model_name`, `duration`, `mode`, `aspect_ratio` and, when on, `sound`. */
  params() {
    const { model, duration, mode, aspect, sound } = this.els;
    const p = { model_name: model.value, duration: duration.value, mode: mode.value, aspect_ratio: aspect.value };
    if (sound.checked) p.sound = "on";
    return p;
  }

  /** What a task card says of it: the model, "15 s", the mode, and "sound" when on. */
  summary(p = this.params()) {
    return [p.model_name, fmtSeconds(p.duration), p.mode, p.sound === "on" ? "sound" : null].filter(Boolean).join(" · ");
  }
}
