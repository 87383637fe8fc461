// Running the chain form: its prompts (the builder, chain.js) extend the source step by step, with
// the extension form's shared fields. Through the edge function a chain runs on the service
// (`POST /chains`, a Workflow): the page follows it (`GET /chains/:id`) with a card per step and
// the segments filling in, and after a reload follows it again (RUNNING_CHAIN_KEY). With the
// user's own keys it runs in the page (`extensions.chain`), and Stop ends it after the current
// step. Starting and ending a chain tell the chain list ("chains") and the history ("tasks").
import { ChainBuilder } from "./chain.js";
import { RUNNING_CHAIN_KEY, stepTask } from "./chain-list.js";
import { $, announce, busy, fmtSeconds } from "./dom.js";
import { clearError, showError } from "./errors.js";
import { fieldMap, forgetExternalId, sharedErrors, sharedParams } from "./extend.js";
import { placeKlingError, report } from "./fields.js";
import { showResult } from "./result.js";
import { service } from "./session.js";
import { sourceErrors } from "./source.js";
import { client, emit, on, state, via } from "./state.js";
import { TaskCard } from "./tasks.js";

let chain;

/** The chain builder and its submit; with a session, follows again a chain this tab started. */
export function setupChainForm() {
  chain = new ChainBuilder();
  chain.setSource(state.source);
  on("source", (src) => chain.setSource(src));
  $("#chain-form").addEventListener("submit", runChain);
  if (state.session) {
    // A chain runs on the service: after a reload (or in another tab) the page follows it again.
    const running = localStorage.getItem(RUNNING_CHAIN_KEY);
    if (running) followServiceChain(running, state.source);
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
    emit("chains");
    emit("tasks");
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
  // Extensions of a v1.x video: the service's chains continue with the next shot unless told.
  const params = { method: "extend", video_id: src.videoId, prompts: chain.prompts(), ...sharedParams() };
  if (src.duration) params.video_duration = src.duration;
  if (via() === "edge" && state.session) {
    chain.resetRun();
    try {
      const started = await service("/chains", { method: "POST", body: JSON.stringify(params) });
      localStorage.setItem(RUNNING_CHAIN_KEY, started.id);
      emit("chains");
      if (params.external_task_id) forgetExternalId();
      await followServiceChain(started.id, src);
    } catch (err) {
      if (err?.field === "prompts" || err?.field === "video_duration") chain.showListError(err.message);
      else placeKlingError(err, fieldMap());
      showError(slot, err, { via: state.via, title: "The chain was not started." });
    }
    return;
  }
  await runInPage(params, src);
}

/** A chain with the user's own keys: `extensions.chain` in the page, a card per step, Stop between steps. */
async function runInPage(params, src) {
  const slot = $("#chain-error");
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
    if (params.external_task_id) forgetExternalId();
    const last = steps.at(-1);
    showResult(last, src);
    announce(`Chain finished: ${fmtSeconds(last.task_result.videos[0].duration)}.`);
    emit("tasks");
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
    emit("tasks");
  } finally {
    busy(btn, false);
    chain.setBusy(false);
  }
}
