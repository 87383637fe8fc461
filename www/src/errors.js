// KlingError → something a person can act on: what happened, the code, the request id, what to do.
import { errorAdvice } from "../vendor/kling-edge/index.browser.js";
import { h } from "./dom.js";

export const STOPPED_MESSAGE = "Stopped waiting. The task keeps running on Kling and is billable.";

/**
 * What to do about an error: the package's advice for its code, except where it depends on how the
 * page reaches Kling ("edge" or "direct") or on the page itself.
 */
export function adviceFor(err, via = "edge") {
  switch (err?.code) {
    case "ERR_KLING_AUTH":
      return via === "direct"
        ? "Kling did not accept the keys you typed. Check the access key and secret key (or API key), and your computer's clock."
        : "Kling did not accept the edge service's credentials. Check its KLING_ACCESS_KEY and KLING_SECRET_KEY (or KLING_API_KEY) secrets.";
    case "ERR_KLING_NETWORK":
      return via === "direct"
        ? "The request did not complete. Check the base URL and your connection; Kling's API may also refuse calls made straight from a browser (CORS) — use the edge service instead."
        : "The request did not complete. Is the demo server running (node www/serve.mjs)? Check your connection, then try again.";
    case "ERR_KLING_ABORTED":
      return STOPPED_MESSAGE;
    case "ERR_KLING_NOT_INITIALIZED":
      return "The WebAssembly module did not load. Reload the page.";
    default:
      try {
        return `${errorAdvice(err?.code ?? "", err?.apiCode)}.`;
      } catch {
        return "Something unexpected happened. Reload the page and try again; if it persists, report it with the request id.";
      }
  }
}

function row(label, value) {
  if (value === undefined || value === null || value === "") return null;
  return [h("dt", { text: label }), h("dd", {}, h("code", { text: String(value) }))];
}

/** A rendered error block (role="alert"), ready to insert. */
export function errorBox(err, { via = "edge", title } = {}) {
  const code = err?.code ?? err?.name ?? "Error";
  const message = err?.taskStatusMsg ? `${err.message}` : (err?.message ?? String(err));
  return h(
    "div",
    { class: "alert alert-error error-box", role: "alert", dataset: { code } },
    h(
      "p",
      { class: "error-title" },
      h("strong", { text: title ?? "That did not work." }),
      " ",
      h("span", { class: "code-pill", text: code }),
    ),
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
