// The service's configuration (wrangler.toml [vars]) and the price table a create reserves by.
//
// Units are kept as integer thousandths ("milli-units") everywhere a sum is taken, so that
// 3.5 + 2 + … never drifts; they are shown as plain unit numbers.
import { HttpError } from "./http.js";

export const FAMILIES = ["video-extend", "text2video", "image2video"];

/** Models whose videos can still be extended (kling-v1 is discontinued). */
export const DEFAULT_ALLOWED_MODELS = ["kling-v1-5", "kling-v1-6"];

/**
 * Worst-case cost in units, by family → model → mode → duration (generations) or
 * family → model → mode (extensions: model and mode are the source's). The charge itself is the
 * task's `final_unit_deduction`; this is what a create reserves before anything is sent.
 * Extensions of a source this service did not make are reserved at `"*"` (the dearest case).
 * Override with the `PRICE_TABLE` var (the same shape, JSON).
 */
export const DEFAULT_PRICES = {
  text2video: {
    "kling-v1-5": { std: { 5: 2, 10: 4 }, pro: { 5: 3.5, 10: 7 } },
    "kling-v1-6": { std: { 5: 2, 10: 4 }, pro: { 5: 3.5, 10: 7 } },
  },
  image2video: {
    "kling-v1-5": { std: { 5: 2, 10: 4 }, pro: { 5: 3.5, 10: 7 } },
    "kling-v1-6": { std: { 5: 2, 10: 4 }, pro: { 5: 3.5, 10: 7 } },
  },
  "video-extend": {
    "kling-v1": { std: 1, pro: 3.5 },
    "kling-v1-5": { std: 2, pro: 3.5 },
    "kling-v1-6": { std: 2, pro: 3.5 },
    "*": 3.5,
  },
};

const DEFAULTS = { USER_DAILY_UNITS: 20, ACCOUNT_DAILY_UNITS: 500 };

export const toMilli = (units) => Math.round(Number(units) * 1000);
export const fromMilli = (milli) => milli / 1000;

function positiveUnits(env, name) {
  const raw = env[name];
  if (raw === undefined || raw === "") return toMilli(DEFAULTS[name]);
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw notConfigured(`${name} must be a number of units`);
  return toMilli(n);
}

function notConfigured(message) {
  return new HttpError(500, "ERR_NOT_CONFIGURED", message);
}

function list(value, fallback) {
  if (value === undefined || value === "") return fallback;
  return String(value)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The configuration of this request's environment. */
export function config(env) {
  let prices = DEFAULT_PRICES;
  if (env.PRICE_TABLE) {
    try {
      prices = JSON.parse(env.PRICE_TABLE);
    } catch {
      throw notConfigured("PRICE_TABLE is not JSON");
    }
  }
  return {
    userDaily: positiveUnits(env, "USER_DAILY_UNITS"),
    accountDaily: positiveUnits(env, "ACCOUNT_DAILY_UNITS"),
    allowedModels: list(env.ALLOWED_MODELS, DEFAULT_ALLOWED_MODELS),
    allowPro: String(env.ALLOW_PRO ?? "").toLowerCase() === "true",
    prices,
  };
}

const invalid = (field, message) => new HttpError(400, "ERR_KLING_INVALID_REQUEST", message, { field });

/**
 * Checks what a generation may ask for (model, mode, duration) and returns its worst-case cost in
 * milli-units. `params` are the caller's, before the package validates the rest.
 */
export function priceGeneration(cfg, family, params) {
  const model = params.model_name;
  if (typeof model !== "string" || !model)
    throw invalid("model_name", "`model_name` is required (kling-v1 is discontinued; name a current model)");
  if (!cfg.allowedModels.includes(model)) {
    throw invalid("model_name", `this service creates only ${cfg.allowedModels.join(", ")}`);
  }
  const mode = params.mode ?? "std";
  if (mode === "pro" && !cfg.allowPro) throw invalid("mode", "this service creates std mode only");
  const duration = params.duration ?? "5";
  const price = cfg.prices[family]?.[model]?.[mode]?.[duration];
  if (typeof price !== "number")
    throw invalid(
      price === undefined && mode !== "std" && mode !== "pro" ? "mode" : "duration",
      `no price is configured for ${model} ${mode} ${duration} s`,
    );
  return { cost: toMilli(price), model, mode };
}

/** Worst-case cost of extending a source of known (or unknown: null) model and mode. */
export function priceExtension(cfg, source) {
  const table = cfg.prices["video-extend"] ?? {};
  const known = source && table[source.model]?.[source.mode];
  const price = typeof known === "number" ? known : table["*"];
  if (typeof price !== "number") throw notConfigured('PRICE_TABLE has no video-extend "*" price');
  return { cost: toMilli(price), model: source?.model ?? null, mode: source?.mode ?? null };
}

/** Today's budget day (UTC). */
export function today() {
  return new Date().toISOString().slice(0, 10);
}
