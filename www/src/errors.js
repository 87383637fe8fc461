// KlingError → something a person can act on: what happened, the code, the request id, what to do.
import { h } from "./dom.js";

export const STOPPED_MESSAGE = "Stopped waiting. The task keeps running on Kling and is billable.";

/** What to do about an error, given how the page reaches Kling ("edge" or "direct"). */
export function adviceFor(err, via = "edge") {
  switch (err?.code) {
    case "ERR_KLING_ACCOUNT":
      return "Your Kling account cannot pay for this task (account abnormal, in arrears, or resource pack used up or expired). Top up or buy a resource pack in the Kling console, then try again — retrying before that will not help.";
    case "ERR_KLING_RATE_LIMITED":
      return "Too many requests in a short time. Wait a minute, then try again.";
    case "ERR_KLING_CONCURRENCY":
      return "Your account is already running as many tasks as it may. Wait for one to finish, then try again.";
    case "ERR_KLING_POLICY":
      return "Kling's content rules refused this. Change the prompt (and negative prompt), then try again.";
    case "ERR_KLING_AUTH":
      return via === "direct"
        ? "Kling did not accept the keys you typed. Check the access key and secret key (or API key), and your computer's clock."
        : "Kling did not accept the edge function's credentials. Check its KLING_ACCESS_KEY and KLING_SECRET_KEY (or KLING_API_KEY) secrets.";
    case "ERR_KLING_PERMISSION":
      return "The account may not use this model or resource, or an IP allow-list refuses the server. Check the account's permissions in the Kling console.";
    case "ERR_KLING_NETWORK":
      return via === "direct"
        ? "The request did not complete. Check the base URL and your connection; Kling's API may also refuse calls made straight from a browser (CORS) — use the edge function instead."
        : "The request did not complete. Is the demo server running (node www/serve.mjs)? Check your connection, then try again.";
    case "ERR_KLING_TIMEOUT":
    case "ERR_KLING_SERVER":
      return "Kling had trouble answering (already retried). Try again in a moment. If a task may have been created, look for it in the history before submitting again — a second submit costs money.";
    case "ERR_KLING_NOT_FOUND":
      return "Kling does not know this video or task. Check the id — it must be a video id, not a task id — and that the video is younger than 30 days.";
    case "ERR_KLING_BAD_REQUEST":
      return "Kling refused a parameter. Check the message, fix the value, then try again.";
    case "ERR_KLING_INVALID_REQUEST":
      return "Fix the highlighted value. Nothing was sent.";
    case "ERR_KLING_TASK_FAILED":
      return "The task failed on Kling (failed tasks are not charged). Change the prompt and try again.";
    case "ERR_KLING_WAIT_TIMEOUT":
      return "The page stopped waiting at its deadline, but the task still runs on Kling and is billable. Check the history later.";
    case "ERR_KLING_ABORTED":
      return STOPPED_MESSAGE;
    case "ERR_KLING_DECODE":
      return "The answer was not what Kling's API documents. If you use a proxy, check that it forwards Kling's answers unchanged.";
    case "ERR_KLING_INVALID_OPTIONS":
      return "The connection settings were refused. Check the keys and base URL.";
    case "ERR_KLING_NOT_INITIALIZED":
      return "The WebAssembly module did not load. Reload the page.";
    default:
      return "Something unexpected happened. Reload the page and try again; if it persists, report it with the request id.";
  }
}

function row(label, value) {
  if (value === undefined || value === null || value === "") return null;
  return [h("dt", { text: label }), h("dd", {}, h("code", { text: String(value) }))];
}

/** A rendered error block (role="alert"), ready to insert. */
export function errorBox(err, { via = "edge", title } = {}) {
  const code = err?.code ?? err?.name ?? "Error";
  const message = err?.taskStatusMsg ? `${err.message}` : err?.message ?? String(err);
  return h(
    "div",
    { class: "alert alert-error error-box", role: "alert", dataset: { code } },
    h("p", { class: "error-title" }, h("strong", { text: title ?? "That did not work." }), " ", h("span", { class: "code-pill", text: code })),
    h("p", { class: "error-message", text: message }),
    h("p", { class: "error-advice" }, h("strong", { text: "What to do: " }), adviceFor(err, via)),
    h(
      "dl",
      { class: "meta" },
      row("Request id", err?.requestId),
      row("Kling code", err?.apiCode),
      row("HTTP status", err?.status),
      row("Field", err?.field),
      row("Task id", err?.taskId),
      row("External task id", err?.externalTaskId),
      row("Last status", err?.lastStatus),
    ),
  );
}

export function showError(slot, err, opts) {
  slot.replaceChildren(errorBox(err, opts));
}

export function clearError(slot) {
  slot.replaceChildren();
}
