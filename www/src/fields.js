// Field-level validation: a message on the field (aria-invalid + aria-describedby), before sending.
import { isValidId, limits } from "../vendor/kling-edge/index.browser.js";
import { charCount } from "./dom.js";

let known;
/** The package's own limits (prompt length, the 180 s cap, the step length…), read once after init(). */
export const rules = () => (known ??= limits());

function errorEl(input) {
  return document.getElementById(`${input.id}-err`) ?? document.getElementById(input.dataset.err ?? "");
}

export function setFieldError(input, message) {
  const err = errorEl(input);
  input.setAttribute("aria-invalid", "true");
  if (err) {
    err.textContent = message;
    err.hidden = false;
    const ids = (input.getAttribute("aria-describedby") ?? "").split(/\s+/).filter(Boolean);
    if (!ids.includes(err.id)) input.setAttribute("aria-describedby", [...ids, err.id].join(" "));
  }
}

export function clearFieldError(input) {
  input.removeAttribute("aria-invalid");
  const err = errorEl(input);
  if (err) {
    err.textContent = "";
    err.hidden = true;
  }
}

/** Shows every error and focuses the first; true when there were none. */
export function report(errors) {
  for (const { input, message } of errors) setFieldError(input, message);
  if (errors.length) errors[0].input.focus();
  return errors.length === 0;
}

/** A live "n / 2500" next to a text field; over the limit it turns red and says so. */
export function bindCounter(input, counter, max = rules().maxPromptChars) {
  const update = () => {
    const n = charCount(input.value);
    counter.textContent = `${n.toLocaleString("en")} / ${max.toLocaleString("en")}`;
    counter.classList.toggle("over", n > max);
    if (input.getAttribute("aria-invalid") === "true" && n <= max) clearFieldError(input);
  };
  input.addEventListener("input", update);
  update();
  return update;
}

export function checkPrompt(input, label, { required = false } = {}) {
  const n = charCount(input.value);
  if (required && !input.value.trim()) return { input, message: `${label} is required.` };
  const max = rules().maxPromptChars;
  if (n > max) {
    return {
      input,
      message: `${label} is ${n.toLocaleString("en")} characters long; Kling accepts at most ${max.toLocaleString("en")}. Remove ${(n - max).toLocaleString("en")}.`,
    };
  }
  return null;
}

export function checkCfg(input) {
  const v = Number(input.value);
  const [min, max] = rules().cfgScale;
  if (!Number.isFinite(v) || v < min || v > max) return { input, message: `cfg_scale must be between ${min} and ${max}.` };
  return null;
}

export function checkExternalId(input) {
  const v = input.value.trim();
  if (v && !isValidId(v)) {
    return { input, message: `An external id has at most ${rules().maxIdChars} characters and no control characters.` };
  }
  return null;
}

/**
 * Puts a `KlingError` with `code === "ERR_KLING_INVALID_REQUEST"` on its field, when the page has
 * one for it. `fields` maps Kling's field names to inputs. Returns whether it was placed.
 */
export function placeKlingError(err, fields) {
  if (err?.code !== "ERR_KLING_INVALID_REQUEST" || !err.field) return false;
  const input = fields[err.field];
  if (!input) return false;
  setFieldError(input, err.message);
  input.focus();
  return true;
}
