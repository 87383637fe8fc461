// "Your chains": the user's chains on the service (`GET /chains`), newest first, each with its
// method, status, steps done, length and units, Play once it has a video and a link to its joined
// video; kept live. While any listed chain runs and the page is visible, the list is read again
// every poll interval (one timer, never two; after a failed read it waits twice as long each time,
// up to a minute); with none running, or the page hidden, it stops. A chain started elsewhere
// shows up when the page is shown again, when another tab of this browser starts one (the
// `storage` event of RUNNING_CHAIN_KEY or LONG_CHAIN_KEY), or when a section of this page calls
// `refresh()`. Items that did not change stay as they are (a focused
// Play keeps its focus).
import { $, h } from "./dom.js";
import { service } from "./session.js";

/** Where a tab keeps the id of the chain it runs, to follow it again after a reload. */
export const RUNNING_CHAIN_KEY = "kling-edge-demo-chain";
/** Where a tab keeps the id of the long video's chain it follows (src/long-video.js). */
export const LONG_CHAIN_KEY = "kling-edge-demo-long";
/** The longest wait between two reads after failures. */
const MAX_DELAY_MS = 60_000;

/** A chain step of the service as the task shape the cards and the player take. */
export function stepTask(s) {
  const task = { task_id: s.task_id ?? "", task_status: s.status === "pending" ? "submitted" : s.status };
  if (s.video)
    task.task_result = { videos: [{ ...s.video, url: s.video.media_url ? `${location.origin}${s.video.media_url}` : s.video.url }] };
  if (s.units !== undefined) task.final_unit_deduction = s.units;
  if (s.message) task.task_status_msg = s.message;
  return task;
}

export class ChainList {
  /** `intervalMs`: how often a running chain is asked about; `onPlay(task)`: plays a chain's last video. */
  constructor({ intervalMs, onPlay }) {
    this.list = $("#chain-runs");
    this.box = $("#chain-runs-box");
    this.intervalMs = intervalMs;
    this.onPlay = onPlay;
    this.timer = null;
    this.reading = false;
    this.again = false; // refresh() was called during a read: its answer may predate the change
    this.failures = 0;
    this.running = false; // whether any listed chain runs
    this.shown = new WeakMap(); // item → what it shows, to leave unchanged items alone
    document.addEventListener("visibilitychange", () => (document.hidden ? this.stop() : this.refresh()));
    addEventListener("storage", (e) => {
      if ((e.key === RUNNING_CHAIN_KEY || e.key === LONG_CHAIN_KEY) && e.newValue) this.refresh();
    });
  }

  /** Reads the list now (or right after the read under way), then keeps it live while a chain runs. */
  refresh() {
    this.stop();
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    this.read().finally(() => {
      this.reading = false;
      if (this.again) {
        this.again = false;
        this.refresh();
      } else this.schedule();
    });
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = null;
  }

  schedule() {
    this.stop();
    if (!this.running || document.hidden) return;
    this.timer = setTimeout(() => this.refresh(), Math.min(this.intervalMs * 2 ** this.failures, MAX_DELAY_MS));
  }

  async read() {
    try {
      const { data } = await service("/chains?pageSize=10");
      this.failures = 0;
      this.running = data.some((c) => c.status === "running");
      this.render(data);
    } catch {
      // The list is a convenience (the run itself reports its errors): a running chain is asked
      // about again, later.
      this.failures += 1;
    }
  }

  render(chains) {
    const focused = document.activeElement?.closest("#chain-runs > li")?.dataset.id;
    const old = new Map([...this.list.children].map((li) => [li.dataset.id, li]));
    const items = chains.map((c) => {
      const item = this.item(c);
      const kept = old.get(c.id);
      return kept && this.shown.get(kept) === this.shown.get(item) ? kept : item;
    });
    for (const li of old.values()) if (!items.includes(li)) li.remove();
    items.forEach((li, i) => {
      if (this.list.children[i] !== li) this.list.insertBefore(li, this.list.children[i] ?? null);
    });
    if (focused && !this.list.contains(document.activeElement)) $(`li[data-id="${CSS.escape(focused)}"] button`, this.list)?.focus();
    this.box.hidden = chains.length === 0;
  }

  /**
   * One chain's item: its prefix, method, status, steps done of all, length, units, Play (its last
   * clip) and a link to its joined video (the service's `video_url`).
   */
  item(c) {
    const last = [...c.steps].reverse().find((s) => s.video);
    const play = last ? h("button", { type: "button", class: "btn btn-secondary", text: "Play" }) : "";
    if (play) play.addEventListener("click", () => this.onPlay(stepTask(last)));
    const joined = c.video_url
      ? h("a", {
          class: "btn btn-ghost",
          href: new URL(c.video_url, location.origin).href,
          target: "_blank",
          rel: "noopener",
          text: "Joined video",
        })
      : "";
    const text = ` · ${c.method ?? "extend"} · ${c.status} · ${c.steps.filter((s) => s.status === "succeed").length} of ${c.step_count} steps · ${c.length ?? 0} s · ${c.spent} units `;
    const li = h(
      "li",
      { "data-status": c.status, "data-id": c.id, "data-method": c.method ?? "extend" },
      h("code", { text: c.external_task_id }),
      text,
      play,
      joined,
    );
    this.shown.set(li, JSON.stringify([c.external_task_id, text, last?.video ?? null, Boolean(c.video_url)]));
    return li;
  }
}
