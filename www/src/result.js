// The result card: the last extended video plays here, with its length, id and units, links to
// open it (and its watermarked copy), and "Use as source" to extend it further. Extensions and
// chains (in the page or on the service) show their videos through `showResult`.
import { $, fmtSeconds, h } from "./dom.js";
import { clearSampleChoice, setSource } from "./source.js";
import { state } from "./state.js";

/** "Use as source": the last result becomes the source, and the extension's prompt takes focus. */
export function setupResult() {
  $("#result-use").addEventListener("click", () => {
    if (!state.result) return;
    clearSampleChoice();
    setSource(state.result);
    $("#ext-prompt").focus();
  });
}

/** Plays `task`'s video (an extension of `src`) and keeps it as the result. */
export function showResult(task, src) {
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
