// The extension form: one video-extend step of the current source (prompt, negative prompt,
// cfg_scale, external id, watermark), checked before sending, followed in its card, played in the
// result card when done. The fields every step shares (all but the prompt) are also read by the
// chain form: `sharedErrors`, `sharedParams`, `fieldMap`, and `forgetExternalId` once an id is used.
import { $, busy } from "./dom.js";
import { clearError, showError } from "./errors.js";
import { bindCounter, checkCfg, checkExternalId, checkPrompt, clearFieldError, placeKlingError, report } from "./fields.js";
import { showResult } from "./result.js";
import { sourceErrors } from "./source.js";
import { client, emit, state } from "./state.js";
import { follow, TaskCard } from "./tasks.js";

const ext = {};

/** The extension form's fields, counters and submit. */
export function setupExtend() {
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
}

/** Kling's field names → the inputs that set them, to put a refusal on its field. */
export const fieldMap = () => ({
  prompt: ext.prompt,
  negative_prompt: ext.negative,
  cfg_scale: ext.cfg,
  external_task_id: ext.external,
  watermark_info: ext.watermark,
  video_id: $("#samples"),
});

/** The shared fields' errors (negative prompt, cfg_scale, external id), their old ones cleared. */
export function sharedErrors() {
  [ext.negative, ext.cfg, ext.external, ext.watermark].forEach(clearFieldError);
  return [checkPrompt(ext.negative, "The negative prompt"), checkCfg(ext.cfg), checkExternalId(ext.external)].filter(Boolean);
}

/** The shared fields as request parameters. */
export function sharedParams() {
  const p = { cfg_scale: Number(ext.cfg.value), watermark_info: { enabled: ext.watermark.checked } };
  if (ext.negative.value.trim()) p.negative_prompt = ext.negative.value;
  if (ext.external.value.trim()) p.external_task_id = ext.external.value.trim();
  return p;
}

/** Empties the external id once a request used it: it is unique per account, not to be reused by accident. */
export function forgetExternalId() {
  ext.external.value = "";
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
    if (params.external_task_id) forgetExternalId();
    follow(
      card,
      created.task_id,
      (id, o) => c.extensions.wait(id, o),
      async (task) => {
        showResult(task, src);
        emit("tasks");
      },
    );
  } catch (err) {
    placeKlingError(err, fieldMap());
    showError(slot, err, { via: state.via, title: "The extension was not started." });
  } finally {
    busy(btn, false);
  }
}
