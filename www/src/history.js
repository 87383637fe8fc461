// The extension history: one page of `extensions.list({pageNum, pageSize})` at a time. Kling gives
// no total: a page shorter than pageSize is the last.
import { $, fmtSeconds, fmtTime, h } from "./dom.js";
import { clearError, showError } from "./errors.js";

export class History {
  constructor({ client, via }) {
    this.client = client; // () => KlingClient
    this.via = via; // () => "edge" | "direct"
    this.page = 1;
    this.last = false;
    this.loading = false;
    this.latest = 0; // the newest load: an older one answering late must not overwrite it
    this.body = $("#hist-body");
    this.prev = $("#hist-prev");
    this.next = $("#hist-next");
    this.size = $("#hist-size");
    this.label = $("#hist-page");
    this.prev.addEventListener("click", () => this.load(this.page - 1));
    this.next.addEventListener("click", () => this.load(this.page + 1));
    this.size.addEventListener("change", () => this.load(1));
    $("#hist-refresh").addEventListener("click", () => this.load(this.page));
  }

  async load(page = this.page) {
    const pageSize = Number(this.size.value);
    const table = $("#hist-table");
    this.loading = true;
    table.setAttribute("aria-busy", "true");
    this.prev.disabled = true;
    this.next.disabled = true;
    const ticket = ++this.latest;
    try {
      const tasks = await this.client().extensions.list({ pageNum: page, pageSize });
      if (ticket !== this.latest) return;
      clearError($("#hist-error"));
      if (tasks.length === 0 && page > 1) {
        // The previous page was exactly full and the last one.
        this.last = true;
        this.label.textContent = `Page ${this.page} (last)`;
        this.prev.disabled = this.page <= 1;
        this.next.disabled = true;
        return;
      }
      this.page = page;
      this.last = tasks.length < pageSize;
      this.body.replaceChildren(...tasks.map((t) => this.row(t)));
      const empty = tasks.length === 0 && page === 1;
      $("#hist-empty").hidden = !empty;
      table.hidden = empty;
      this.label.textContent = `Page ${page}${this.last ? " (last)" : ""}`;
      this.prev.disabled = page <= 1;
      this.next.disabled = this.last;
    } catch (err) {
      if (ticket !== this.latest) return;
      showError($("#hist-error"), err, { via: this.via(), title: "Could not load the history." });
      this.prev.disabled = this.page <= 1;
      this.next.disabled = false;
    } finally {
      if (ticket === this.latest) {
        this.loading = false;
        table.removeAttribute("aria-busy");
      }
    }
  }

  row(t) {
    const video = t.task_result?.videos?.[0];
    const status = t.task_status === "succeed" ? "succeeded" : t.task_status;
    const cell = (label, ...content) => h("td", { "data-label": label }, ...content);
    return h(
      "tr",
      { dataset: { taskId: t.task_id } },
      cell("Created", fmtTime(t.created_at)),
      cell("Task", h("code", { text: t.task_id })),
      cell(
        "Status",
        h("span", { class: "badge status-badge", dataset: { status: t.task_status }, text: status }),
        t.task_status_msg ? h("span", { class: "muted small", text: ` ${t.task_status_msg}` }) : null,
      ),
      cell(
        "Length",
        video
          ? video.url
            ? h("a", { href: video.url, target: "_blank", rel: "noopener", text: fmtSeconds(video.duration) })
            : fmtSeconds(video.duration)
          : "—",
      ),
      cell("Units", t.final_unit_deduction ?? "—"),
      cell("External id", t.task_info?.external_task_id ? h("code", { text: t.task_info.external_task_id }) : "—"),
    );
  }
}
