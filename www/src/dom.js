// Small DOM helpers: no framework, no innerHTML with data. `$`/`$$` select, `h` builds an element,
// `busy` marks a button as working, `announce` speaks through the polite live region, and the
// `fmt*` helpers say lengths, elapsed times and clock times as the page writes them.

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

/** `h("p", {class: "x", text: "hi", onclick}, child…)`; never sets a `style` attribute (CSP). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "text") el.textContent = v;
    else if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Kling counts characters, not UTF-16 code units. */
export const charCount = (s) => [...s].length;

export function fmtElapsed(ms) {
  const s = Math.max(0, ms) / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${String(Math.floor(s % 60)).padStart(2, "0")} s`;
}

export function fmtSeconds(sec) {
  const n = Number(sec);
  if (!Number.isFinite(n)) return "?";
  if (n < 60) return `${+n.toFixed(1)} s`;
  const m = Math.floor(n / 60);
  const s = +(n % 60).toFixed(1);
  return s ? `${m} min ${s} s` : `${m} min`;
}

export function fmtTime(ms) {
  if (!ms) return "—";
  const d = new Date(ms);
  const sameDay = d.toDateString() === new Date().toDateString();
  return sameDay
    ? d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" })
    : d.toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

let announceTimer;
/** Says `msg` to screen readers through the page's polite live region. */
export function announce(msg) {
  const el = document.getElementById("announcer");
  if (!el) return;
  clearTimeout(announceTimer);
  el.textContent = "";
  announceTimer = setTimeout(() => (el.textContent = msg), 50);
}

/** Marks `button` as working (disabled, aria-busy, `label`), or gives it back its own label. */
export function busy(button, on, label) {
  if (on) {
    button.dataset.label ??= button.innerHTML;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    button.textContent = label;
  } else {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    if (button.dataset.label) button.innerHTML = button.dataset.label;
  }
}
