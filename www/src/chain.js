// The chain builder: prompts (add, remove, reorder), the total length against the 3-minute cap,
// and the timeline of segments as the chain runs.
import { $, charCount, fmtSeconds, h } from "./dom.js";
import { bindCounter, clearFieldError, rules } from "./fields.js";

let nextId = 1;

export class ChainBuilder {
  constructor() {
    this.list = $("#chain-steps");
    this.bar = $("#capbar");
    this.capText = $("#cap-text");
    this.segments = $("#segments");
    this.error = $("#chain-err");
    this.steps = [];
    this.source = null;
    this.run = []; // per step: {status, duration}
    for (const text of ["Birds take off from the trees", "A deer steps out to drink", "The camera pulls back to the whole valley"])
      this.add(text, false);
    $("#chain-add").addEventListener("click", () => {
      const step = this.add("", true);
      step.input.focus();
    });
    this.render();
  }

  add(text, render = true) {
    const step = { id: nextId++, text };
    this.steps.push(step);
    if (render) this.render();
    return step;
  }

  move(step, by) {
    const i = this.steps.indexOf(step);
    const j = i + by;
    if (j < 0 || j >= this.steps.length) return;
    [this.steps[i], this.steps[j]] = [this.steps[j], this.steps[i]];
    this.render();
    const again = by < 0 ? step.up : step.down;
    (again.disabled ? (by < 0 ? step.down : step.up) : again).focus();
  }

  remove(step) {
    const i = this.steps.indexOf(step);
    this.steps.splice(i, 1);
    this.render();
    const neighbour = this.steps[Math.min(i, this.steps.length - 1)];
    (neighbour?.input ?? $("#chain-add")).focus();
  }

  setSource(source) {
    this.source = source;
    this.run = [];
    this.renderCap();
  }

  /** A step's state while the chain runs (from `onProgress(task, {step, steps})`). */
  mark(stepIndex, status, duration) {
    this.run[stepIndex] = { status, duration };
    this.renderCap();
  }

  resetRun() {
    this.run = [];
    this.renderCap();
  }

  setBusy(busy) {
    this.busy = busy;
    for (const el of this.list.querySelectorAll("textarea, button")) el.disabled = busy || el.dataset.locked === "true";
    $("#chain-add").disabled = busy;
  }

  prompts() {
    return this.steps.map((s) => s.input.value);
  }

  plannedTotal() {
    const base = Number(this.source?.duration);
    return Number.isFinite(base) ? base + rules().maxStepSeconds * this.steps.length : null;
  }

  /** Errors to show before anything is sent. */
  validate() {
    const errors = [];
    clearFieldError(this.list);
    if (this.steps.length === 0) errors.push({ input: this.list, message: "Add at least one step." });
    this.steps.forEach((s, i) => {
      clearFieldError(s.input);
      const n = charCount(s.input.value);
      const max = rules().maxPromptChars;
      if (n > max)
        errors.push({
          input: s.input,
          message: `Step ${i + 1}'s prompt is ${n.toLocaleString("en")} characters long; Kling accepts at most ${max.toLocaleString("en")}.`,
        });
    });
    const total = this.plannedTotal();
    if (total !== null && total > rules().maxTotalSeconds) {
      errors.push({
        input: this.list,
        message: `${this.steps.length} steps from a ${fmtSeconds(this.source.duration)} video could reach ${fmtSeconds(total)}, past Kling's 3-minute cap. Remove ${Math.ceil((total - rules().maxTotalSeconds) / rules().maxStepSeconds)} step(s).`,
      });
    }
    return errors;
  }

  /** Shows a chain-level message under the builder (used for the cap and for KlingErrors). */
  showListError(message) {
    this.error.textContent = message;
    this.error.hidden = !message;
  }

  render() {
    this.list.replaceChildren(
      ...this.steps.map((step, i) => {
        const id = `chain-step-${step.id}`;
        const count = h("span", { class: "count", id: `${id}-count` });
        step.input = h("textarea", {
          id,
          rows: 2,
          "aria-describedby": `${id}-count ${id}-err`,
          placeholder: "What happens next",
          disabled: this.busy,
        });
        step.input.value = step.text;
        step.input.addEventListener("input", () => (step.text = step.input.value));
        bindCounter(step.input, count);
        step.up = h(
          "button",
          {
            type: "button",
            class: "icon-btn",
            "aria-label": `Move step ${i + 1} up`,
            title: "Move up",
            disabled: i === 0 || this.busy,
            dataset: { locked: String(i === 0) },
            onclick: () => this.move(step, -1),
          },
          "↑",
        );
        step.down = h(
          "button",
          {
            type: "button",
            class: "icon-btn",
            "aria-label": `Move step ${i + 1} down`,
            title: "Move down",
            disabled: i === this.steps.length - 1 || this.busy,
            dataset: { locked: String(i === this.steps.length - 1) },
            onclick: () => this.move(step, 1),
          },
          "↓",
        );
        const del = h(
          "button",
          {
            type: "button",
            class: "icon-btn danger",
            "aria-label": `Remove step ${i + 1}`,
            title: "Remove",
            disabled: this.busy,
            onclick: () => this.remove(step),
          },
          "✕",
        );
        return h(
          "li",
          { class: "chain-step" },
          h("div", { class: "label-row" }, h("label", { for: id, text: `Step ${i + 1}` }), count),
          h("div", { class: "chain-row" }, step.input, h("div", { class: "chain-tools" }, step.up, step.down, del)),
          h("p", { class: "field-error", id: `${id}-err`, hidden: true }),
        );
      }),
    );
    this.list.setAttribute("aria-describedby", "chain-err");
    this.list.dataset.err = "chain-err";
    this.list.tabIndex = -1;
    this.renderCap();
  }

  renderCap() {
    const base = Number(this.source?.duration);
    const known = Number.isFinite(base);
    const total = this.plannedTotal();
    const over = total !== null && total > rules().maxTotalSeconds;
    const pct = (s) => `${Math.min(100, (s / rules().maxTotalSeconds) * 100)}%`;
    const segs = [];
    const items = [];
    if (known) {
      segs.push(this.seg("source", base, pct));
      items.push(
        h(
          "li",
          { dataset: { kind: "source" } },
          h("span", { class: "swatch", "aria-hidden": "true" }),
          `0–${fmtSeconds(base)}: source video`,
        ),
      );
    }
    let at = known ? base : 0;
    this.steps.forEach((step, i) => {
      const state = this.run[i];
      const len = state?.duration !== undefined ? Math.max(0, state.duration - at) : rules().maxStepSeconds;
      const kind = state?.status ?? "planned";
      segs.push(this.seg(kind, len, pct));
      const label = step.text.trim() ? `“${step.text.trim().slice(0, 60)}${charCount(step.text.trim()) > 60 ? "…" : ""}”` : "(no prompt)";
      const range = known ? `${fmtSeconds(at)}–${fmtSeconds(at + len)}` : `+${fmtSeconds(len)}`;
      const statusText =
        { planned: "planned", submitted: "submitted", processing: "processing", succeed: "done", failed: "failed" }[kind] ?? kind;
      items.push(
        h(
          "li",
          { dataset: { kind } },
          h("span", { class: "swatch", "aria-hidden": "true" }),
          `${range}: step ${i + 1} ${label} — ${statusText}`,
        ),
      );
      at += len;
    });
    this.bar.replaceChildren(...segs, h("span", { class: "cap-marker", "aria-hidden": "true" }));
    this.bar.classList.toggle("over", over);
    this.segments.replaceChildren(...items);
    const finished = this.run.filter((r) => r?.status === "succeed");
    if (!known) {
      this.capText.textContent = this.source ? `source length unknown + ${this.steps.length} × ~5 s (cap 3 min)` : "pick a source first";
    } else {
      const sofar = finished.length ? ` · ${fmtSeconds(finished.at(-1).duration)} so far` : "";
      this.capText.textContent = `${fmtSeconds(base)} + ${this.steps.length} × 5 s = ${fmtSeconds(total)} of 3 min${over ? " — too long" : ""}${sofar}`;
    }
    this.capText.classList.toggle("over", over);
    if (!over && this.error.textContent.includes("3-minute cap")) this.showListError("");
  }

  seg(kind, seconds, pct) {
    const el = h("span", { class: `seg seg-${kind}`, title: `${kind}: ${fmtSeconds(seconds)}` });
    el.style.width = pct(seconds); // CSSOM, allowed by the CSP (no style attribute)
    return el;
  }
}
