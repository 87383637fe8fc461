// The Worker's configuration, checked once per isolate at its first request: a missing secret, a
// var where a binding must be (a shadowed binding), a bad number or origin is answered
// `500 {error: {code: "ERR_NOT_CONFIGURED", message}}` naming the binding or variable, on every
// route — rather than a 500 "internal error" deep inside some create.
import { config, retentionMs, sharedSources } from "./config.js";
import { HttpError } from "./http.js";
import { checkKlingSettings } from "./kling.js";
import { mediaConfig } from "./media.js";
import { allowedOrigins, publicOrigin } from "./origins.js";
import { sessionConfig } from "./session.js";

const notConfigured = (message) => new HttpError(500, "ERR_NOT_CONFIGURED", message);

/** What each binding must be, told by the methods its kind has (a var has none of them). */
const KINDS = {
  durableObject: { methods: ["idFromName", "get"], what: "a Durable Object binding" },
  workflow: { methods: ["create", "get"], what: "a Workflow binding" },
  rateLimit: { methods: ["limit"], what: "a Rate Limiting binding ([[ratelimits]])" },
  r2: { methods: ["head", "get", "put"], what: "an R2 bucket binding" },
};

/** The bindings of wrangler.toml; `optional` ones may be absent but never something else. */
const BINDINGS = [
  { name: "USERS", kind: "durableObject" },
  { name: "ACCOUNT", kind: "durableObject" },
  { name: "GATE", kind: "durableObject" },
  { name: "CHAIN", kind: "workflow" },
  { name: "USER_CREATES_PER_MINUTE", kind: "rateLimit" },
  { name: "MEDIA", kind: "r2", optional: true },
];

const FLAGS = ["ALLOW_PRO", "ALLOW_RETIRED_MODELS", "SHOW_ACCOUNT_UNITS"];

function checkBindings(env) {
  for (const { name, kind, optional } of BINDINGS) {
    const value = env[name];
    if (value === undefined || value === null) {
      if (optional) continue;
      throw notConfigured(`${name} must be ${KINDS[kind].what}; it is missing`);
    }
    const ok =
      (typeof value === "object" || typeof value === "function") && KINDS[kind].methods.every((m) => typeof value[m] === "function");
    if (!ok)
      throw notConfigured(`${name} must be ${KINDS[kind].what}, not a ${typeof value} (is a [vars] entry of that name shadowing it?)`);
  }
}

function checkVars(env) {
  config(env); // budgets and the operator's policy, as every create reads them
  retentionMs(env);
  sharedSources(env);
  mediaConfig(env);
  const slots = env.KLING_MAX_CONCURRENT_TASKS;
  if (slots !== undefined && slots !== "" && !(Number.isInteger(Number(slots)) && Number(slots) > 0)) {
    throw notConfigured("KLING_MAX_CONCURRENT_TASKS must be a whole number of tasks, 1 or more");
  }
  for (const name of FLAGS) {
    const value = env[name];
    if (value !== undefined && value !== "" && !["true", "false"].includes(String(value).toLowerCase()))
      throw notConfigured(`${name} must be "true" or "false"`);
  }
  publicOrigin(env);
  allowedOrigins(env);
}

const outcomes = new WeakMap();

/**
 * Throws ERR_NOT_CONFIGURED when `env` is not a working configuration. Judged once per `env`
 * (an isolate keeps one) and remembered, refusal included: a deployment's settings do not change
 * under a running isolate.
 */
export function checkConfig(env) {
  let outcome = outcomes.get(env);
  if (!outcome) {
    try {
      checkBindings(env);
      sessionConfig(env); // the session secret, the JWKS trio, the budget claim
      checkVars(env);
      checkKlingSettings(env); // credentials, KLING_BASE_URL, KLING_WEBHOOK_SECRET, by the package
      outcome = { ok: true };
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      console.error("the Worker is not configured:", err.message);
      outcome = { ok: false, error: err };
    }
    outcomes.set(env, outcome);
  }
  if (!outcome.ok) throw outcome.error;
}
