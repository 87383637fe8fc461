// How the page reaches Kling, and what it may still spend. By default through the edge function
// (no keys in the page); the "direct" form builds a `KlingClient` with the user's own keys, kept
// in memory only, and "Forget" goes back to the edge. Also the lines that say who is signed in
// and today's budget (the service's `GET /me`), and the account's remaining units (the service's
// `GET /account`, or `account.costs` with the user's own keys).
import { KlingClient } from "../vendor/kling-edge/index.browser.js";
import { $, $$, announce, h } from "./dom.js";
import { clearError, showError } from "./errors.js";
import { clearFieldError, report } from "./fields.js";
import { service } from "./session.js";
import { emit, state } from "./state.js";

/** Today's budget of the demo user, from the service's `GET /me`, and the account's units. */
export async function refreshBudget() {
  refreshUnits();
  const el = $("#budget");
  if (!state.session) return;
  try {
    const me = await service("/me");
    el.textContent = `Signed in as ${me.user}. Today: ${me.spent} of ${me.budget} units spent, ${me.reserved} reserved, ${me.remaining} left.`;
    el.hidden = false;
  } catch {
    el.hidden = true;
  }
}

/**
 * What remains of the account's resource packs: through the service's `GET /account` (when its
 * operator shows it), or, with the user's own key, from `kling.account.costs` directly.
 */
async function refreshUnits() {
  const el = $("#units");
  try {
    let units;
    if (state.via === "direct") {
      const costs = await state.client.account.costs({ start_time: Math.max(0, Date.now() - 400 * 86_400_000), end_time: Date.now() });
      const online = costs.resource_pack_subscribe_infos.filter((p) => p.status === "online");
      units = { remaining: online.reduce((n, p) => n + p.remaining_quantity, 0), packs: online.length };
    } else {
      if (!state.session) throw new Error("no session");
      const body = await service("/account");
      units = { remaining: body.remaining, packs: body.packs.filter((p) => p.status === "online").length };
    }
    el.textContent = `Account: ${units.remaining} units remaining in ${units.packs} active resource pack${units.packs === 1 ? "" : "s"} (Kling's count may lag behind charges).`;
    el.hidden = false;
  } catch {
    el.hidden = true;
  }
}

function renderConnState() {
  const el = $("#conn-state");
  if (state.via === "edge") {
    el.replaceChildren(
      h("span", { class: "dot-ok", "aria-hidden": "true" }),
      " Connected through the edge function. No keys in this page.",
    );
  } else {
    el.replaceChildren(
      h("span", { class: "dot-warn", "aria-hidden": "true" }),
      ` Direct to ${state.directBase} with your key (in memory only).`,
    );
  }
}

/** The mode badge, the edge function's URL, the connection's state and the direct-keys form. */
export function setupConnection(edgeBase) {
  const badge = $("#mode-badge");
  badge.textContent = state.config.mode === "simulator" ? "Simulator · nothing is billed" : "Kling API · tasks spend units";
  badge.dataset.mode = state.config.mode;
  $("#edge-url").textContent = edgeBase;
  renderConnState();

  const form = $("#direct-form");
  const simOrigin = state.config.samples[0]?.url ? new URL(state.config.samples[0].url).origin : null;
  if (simOrigin) {
    $("#direct-base-hint").append(
      h("br"),
      "Simulator: ",
      h("code", { text: simOrigin }),
      " with access key ",
      h("code", { text: "ak-simulator" }),
      ", secret key ",
      h("code", { text: "sk-simulator" }),
      ".",
    );
  }
  for (const r of $$('input[name="conn"]')) {
    r.addEventListener("change", () => {
      const direct = r.value === "direct" && r.checked;
      form.hidden = !direct;
      $("#conn-edge-info").hidden = direct;
      if (!direct) forgetKeys();
    });
  }
  for (const r of $$('input[name="direct-auth"]')) {
    r.addEventListener("change", () => {
      const pair = $('input[name="direct-auth"]:checked').value === "pair";
      $("#pair-fields").hidden = !pair;
      $("#apikey-field").hidden = pair;
    });
  }
  $("#direct-forget").addEventListener("click", () => {
    forgetKeys();
    announce("Keys forgotten. Using the edge function.");
  });
  form.addEventListener("submit", connectDirect);
}

/** The direct form's submit: checks the fields, then uses a client with the user's keys. */
function connectDirect(e) {
  e.preventDefault();
  clearError($("#direct-error"));
  const ak = $("#direct-ak"),
    sk = $("#direct-sk"),
    key = $("#direct-apikey"),
    base = $("#direct-base"),
    accept = $("#direct-accept");
  [ak, sk, key, base, accept].forEach(clearFieldError);
  const pair = $('input[name="direct-auth"]:checked').value === "pair";
  const errors = [];
  if (pair && !ak.value.trim()) errors.push({ input: ak, message: "Enter the access key." });
  if (pair && !sk.value.trim()) errors.push({ input: sk, message: "Enter the secret key." });
  if (!pair && !key.value.trim()) errors.push({ input: key, message: "Enter the API key." });
  let url = null;
  try {
    url = new URL(base.value.trim());
    if (!/^https?:$/.test(url.protocol)) throw new Error();
  } catch {
    errors.push({ input: base, message: "Enter an http(s) URL, e.g. https://api-singapore.klingai.com." });
  }
  if (!accept.checked) errors.push({ input: accept, message: "Tick this to confirm you accept the risk." });
  if (!report(errors)) return;
  try {
    const baseUrl = url.href.replace(/\/$/, "");
    const creds = pair ? { accessKey: ak.value.trim(), secretKey: sk.value.trim() } : { apiKey: key.value.trim() };
    // The page still offers the v1.x models the legacy extend path takes (retired on Kling).
    state.client = new KlingClient({ ...creds, baseUrl, dangerouslyAllowBrowser: true, allowRetiredModels: true });
    state.via = "direct";
    state.directBase = baseUrl;
    renderConnState();
    refreshUnits();
    announce("Using your keys, directly.");
    emit("tasks");
  } catch (err) {
    showError($("#direct-error"), err, { via: "direct", title: "These settings were refused." });
  }
}

function forgetKeys() {
  for (const id of ["#direct-ak", "#direct-sk", "#direct-apikey"]) $(id).value = "";
  $("#direct-accept").checked = false;
  const wasDirect = state.via === "direct";
  state.client = state.edge;
  state.via = "edge";
  renderConnState();
  refreshUnits();
  if (wasDirect) emit("tasks");
}
