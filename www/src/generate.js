// The two ways to generate a source: text to video ("Generate": today's models first, then the
// retired ones the legacy extend path takes) and Omni-Video (with the current source as an
// optional reference video, and multi-shot where the model has it). Each form's fields come from
// the package's capability table (models.js); a submitted task is followed in its card, and its
// video becomes the source.
import { $, busy } from "./dom.js";
import { clearError, showError } from "./errors.js";
import { bindCounter, checkPrompt, clearFieldError, placeKlingError, report } from "./fields.js";
import { ModelForm } from "./models.js";
import { clearSampleChoice, setSource } from "./source.js";
import { client, state } from "./state.js";
import { follow, TaskCard } from "./tasks.js";

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

/** The Generate and Omni-Video panels. */
export function setupGenerate() {
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
        clearSampleChoice();
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
