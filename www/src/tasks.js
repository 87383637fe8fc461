// A live card per task: submitted → processing → succeed/failed, elapsed time, ids, units, Stop;
// and `follow`, which waits for a created task and keeps its card up to date (Stop ends only the
// wait: the task runs on at Kling, and "Wait again" resumes it).
import { statusRank } from "../vendor/kling-edge/index.browser.js";
import { $, announce, fmtElapsed, fmtSeconds, h } from "./dom.js";
import { errorBox, STOPPED_MESSAGE } from "./errors.js";
import { emit, state } from "./state.js";

const STEPS = [
  ["submitted", "Submitted"],
  ["processing", "Processing"],
  ["done", "Done"],
];
/** The package's status order; `sending` (the page's own: not answered yet) comes first. */
const rankOf = (status) => (status === "sending" ? 0 : statusRank(status));

export class TaskCard {
  /** `title` e.g. "Extension"; `onStop()` aborts the wait. */
  constructor({ title, subtitle = "", onStop }) {
    this.title = title;
    this.started = performance.now();
    this.status = "sending";
    this.stepEls = STEPS.map(([key, label]) =>
      h(
        "li",
        { dataset: { step: key } },
        h("span", { class: "dot", "aria-hidden": "true" }),
        h("span", { class: "step-label", text: label }),
      ),
    );
    this.badge = h("span", { class: "badge status-badge", text: "sending" });
    this.elapsed = h("span", { class: "elapsed", text: "0.0 s", "aria-label": "Elapsed time" });
    this.progress = h("progress", { class: "progress", "aria-label": `${title}: waiting for Kling` });
    this.meta = h("dl", { class: "meta" });
    this.note = h("p", { class: "task-note", hidden: true });
    this.errorSlot = h("div", { class: "error-slot" });
    this.stopBtn = h("button", {
      type: "button",
      class: "btn btn-ghost btn-small stop",
      text: "Stop waiting",
      onclick: () => this.onStop?.(),
    });
    this.onStop = onStop;
    this.extra = h("div", { class: "actions compact task-actions" }, this.stopBtn);
    this.values = {};
    this.el = h(
      "li",
      { class: "task", dataset: { status: "sending" } },
      h(
        "div",
        { class: "task-head" },
        h("strong", { class: "task-title", text: title }),
        subtitle ? h("span", { class: "muted task-sub", text: subtitle }) : null,
        this.badge,
        this.elapsed,
      ),
      h("ol", { class: "stepper", "aria-label": "Status" }, this.stepEls),
      this.progress,
      this.meta,
      this.note,
      this.errorSlot,
      this.extra,
    );
    const list = $("#task-list");
    list.prepend(this.el);
    $("#tasks-empty").hidden = true;
    this.timer = setInterval(() => this.tick(), 100);
    this.render();
  }

  tick() {
    this.elapsed.textContent = fmtElapsed(performance.now() - this.started);
  }

  set(key, label, value) {
    if (value === undefined || value === null || value === "") return;
    this.values[key] = [label, String(value)];
  }

  /** Every state Kling reports (onProgress), and the create's answer. */
  update(task) {
    if (!task) return;
    const next = task.task_status;
    if (rankOf(next) > 0 && rankOf(next) >= rankOf(this.status)) {
      if (next !== this.status) announce(`${this.title}: ${next === "succeed" ? "succeeded" : next}`);
      this.status = next;
    }
    this.set("task", "Task id", task.task_id);
    this.set("external", "External id", task.task_info?.external_task_id);
    if (task._request_id) {
      if (!this.values.request) this.set("request", "Request id", task._request_id);
      else if (this.values.request[1] !== task._request_id) this.set("lastRequest", "Last poll request id", task._request_id);
    }
    const video = task.task_result?.videos?.[0];
    if (video) this.set("duration", "Length", fmtSeconds(video.duration));
    if (task.final_unit_deduction !== undefined) this.set("units", "Units charged", task.final_unit_deduction);
    this.render();
  }

  render() {
    this.el.dataset.status = this.status;
    this.badge.textContent = this.status === "succeed" ? "succeeded" : this.status;
    this.badge.dataset.status = this.status;
    const rank = rankOf(this.status);
    this.stepEls.forEach((li, i) => {
      const n = i + 1;
      li.dataset.state = rank > n || (rank === 3 && n === 3) ? "done" : rank === n ? "current" : "todo";
      if (n === 3) {
        li.querySelector(".step-label").textContent =
          this.status === "failed" ? "Failed" : this.status === "succeed" ? "Succeeded" : "Done";
        if (this.status === "failed") li.dataset.state = "failed";
      }
    });
    this.meta.replaceChildren(
      ...Object.values(this.values).flatMap(([label, value]) => [h("dt", { text: label }), h("dd", {}, h("code", { text: value }))]),
    );
  }

  end() {
    clearInterval(this.timer);
    this.tick();
    this.progress.remove();
    this.stopBtn.remove();
  }

  succeed(task) {
    this.update(task);
    this.status = "succeed";
    this.render();
    this.end();
  }

  fail(err, via) {
    this.end();
    if (err?.taskId) this.set("task", "Task id", err.taskId);
    if (err?.requestId && !this.values.request) this.set("request", "Request id", err.requestId);
    this.status = err?.code === "ERR_KLING_TASK_FAILED" ? "failed" : "error";
    this.render();
    if (this.status === "error") this.badge.textContent = "not started";
    this.errorSlot.replaceChildren(
      errorBox(err, { via, title: this.status === "failed" ? "The task failed." : "The task could not be started." }),
    );
    announce(`${this.title}: ${err?.code ?? "error"}`);
  }

  /** After Stop: the task still runs on Kling. `onResume` offers to wait again. */
  stopped(onResume) {
    this.end();
    this.status = "stopped";
    this.el.dataset.status = "stopped";
    this.badge.textContent = "stopped waiting";
    this.badge.dataset.status = "stopped";
    this.note.hidden = false;
    this.note.className = "task-note alert alert-warn";
    this.note.setAttribute("role", "status");
    this.note.textContent = STOPPED_MESSAGE;
    if (onResume)
      this.extra.append(
        h("button", {
          type: "button",
          class: "btn btn-ghost btn-small",
          text: "Wait again",
          onclick: (e) => {
            e.currentTarget.remove();
            this.note.hidden = true;
            onResume();
          },
        }),
      );
    announce(STOPPED_MESSAGE);
  }

  /** Re-arms the card for another wait (after "Wait again"). */
  resume(onStop) {
    this.status = "submitted";
    this.started = performance.now();
    this.timer = setInterval(() => this.tick(), 100);
    this.el.insertBefore(this.progress, this.meta);
    this.onStop = onStop;
    this.extra.prepend(this.stopBtn);
    this.render();
  }

  addAction(el) {
    this.extra.append(el);
  }
}

/**
 * Follows a created task in its card until it ends. Stop aborts only the wait (there is no cancel
 * in Kling's API); "Wait again" resumes it. Its end says "budget" (the units moved) and, for a
 * task Kling failed, "tasks" (the history shows it).
 */
export function follow(card, taskId, waitFn, onDone) {
  const controller = new AbortController();
  card.onStop = () => controller.abort();
  waitFn(taskId, { signal: controller.signal, pollIntervalMs: state.pollIntervalMs, onProgress: (t) => card.update(t) })
    .then(async (task) => {
      card.succeed(task);
      emit("budget");
      await onDone(task);
    })
    .catch((err) => {
      emit("budget");
      if (err?.code === "ERR_KLING_ABORTED") {
        card.stopped(() => {
          card.resume();
          follow(card, taskId, waitFn, onDone);
        });
      } else {
        card.fail(err, state.via);
        if (err?.code === "ERR_KLING_TASK_FAILED") emit("tasks");
      }
    });
}
