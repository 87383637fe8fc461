// The service's configuration (wrangler.toml [vars]) and its policy on what users may create. Kling's
// rules and prices are the package's (checkParams, price): none is restated here.
//
// Units are kept as integer thousandths ("milli-units") everywhere a sum is taken, so that
// 3.5 + 2 + … never drifts; they are shown as plain unit numbers.
import { HttpError } from "./http.js";
import { allowRetired, isValidId, limits } from "./kling.js";

/** The task families the service serves: the package's (its capability table's) families. */
export const FAMILIES = Object.freeze(Object.keys(limits().families));

const DEFAULTS = { USER_DAILY_UNITS: 20, ACCOUNT_DAILY_UNITS: 500 };

/** Days a record, a chain or a kept video is kept: Kling purges its media after 30. */
const DEFAULT_RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;

/** `RETENTION_DAYS` in milliseconds (a positive number of days, fractions allowed). */
export function retentionMs(env) {
  const raw = env.RETENTION_DAYS;
  if (raw === undefined || raw === "") return DEFAULT_RETENTION_DAYS * DAY_MS;
  const days = Number(raw);
  if (!Number.isFinite(days) || days <= 0) throw notConfigured("RETENTION_DAYS must be a positive number of days");
  return Math.round(days * DAY_MS);
}

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
  return {
    userDaily: positiveUnits(env, "USER_DAILY_UNITS"),
    accountDaily: positiveUnits(env, "ACCOUNT_DAILY_UNITS"),
    // The operator's policy (not Kling's rules, which are the package's): which models and
    // whether pro mode. No list: every model the package accepts.
    allowedModels: list(env.ALLOWED_MODELS, null),
    allowPro: String(env.ALLOW_PRO ?? "").toLowerCase() === "true",
    allowRetired: allowRetired(env),
  };
}

/**
 * The source an extension may extend, for `userKey`: a video this service made for them (its
 * model and mode known), or one the operator shares with every user (`SHARED_SOURCE_VIDEOS`,
 * model and mode unknown: priced as the dearest case). Anything else is null: another user's
 * video and a video of unknown owner are refused alike.
 */
export function sourceFor(env, userKey, videoId, known) {
  if (known?.owner === userKey) return { model: known.model, mode: known.mode };
  if (!known && sharedSources(env).includes(videoId)) return { model: null, mode: null };
  return null;
}

/** `SHARED_SOURCE_VIDEOS`: video ids by the package's id rule. */
export function sharedSources(env) {
  const ids = list(env.SHARED_SOURCE_VIDEOS, []);
  const bad = ids.find((id) => !isValidId(id));
  if (bad !== undefined) throw notConfigured("SHARED_SOURCE_VIDEOS must be a comma-separated list of video ids");
  return ids;
}

const invalid = (field, message) => new HttpError(400, "ERR_KLING_INVALID_REQUEST", message, { field });

/** The operator's policy on checked parameters (as the package will send them). */
export function checkPolicy(cfg, family, checked) {
  if (family === "video-extend") return; // model and mode are the source's
  const model = checked.model_name;
  if (cfg.allowedModels && !cfg.allowedModels.includes(model)) {
    throw invalid("model_name", `this service creates only ${cfg.allowedModels.join(", ")}`);
  }
  if ((checked.mode ?? "std") !== "std" && !cfg.allowPro) throw invalid("mode", "this service creates std mode only");
}

/** Today's budget day (UTC). */
export function today() {
  return new Date().toISOString().slice(0, 10);
}
