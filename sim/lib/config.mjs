// Simulator options: defaults, validation, and the subset that can change at runtime.

export const SIM_DEFAULTS = Object.freeze({
  host: "127.0.0.1",
  port: 0,
  accessKey: "ak-simulator",
  secretKey: "sk-simulator",
  apiKey: "kling-sim-api-key",
  timing: Object.freeze({ submittedMs: 300, processingMs: 1500 }),
  extendSeconds: 5,
  clockOffsetMs: 0,
  maxConcurrentTasks: Infinity,
  rateLimit: null,
  webhookSecret: null,
  callbackTimeoutMs: 2000,
  callbacks: true,
  failNextTasks: 0,
  allowRetiredModels: false,
  mismatchNextClips: 0,
});

// Keys that configure() / POST /__sim/config may change; host and port are fixed once listening.
const RUNTIME_KEYS = new Set([
  "accessKey",
  "secretKey",
  "apiKey",
  "timing",
  "extendSeconds",
  "clockOffsetMs",
  "maxConcurrentTasks",
  "rateLimit",
  "webhookSecret",
  "callbackTimeoutMs",
  "callbacks",
  "failNextTasks",
  "allowRetiredModels",
  "mismatchNextClips",
]);

export function buildConfig(options = {}) {
  const config = {
    host: options.host ?? SIM_DEFAULTS.host,
    port: options.port ?? SIM_DEFAULTS.port,
  };
  for (const key of RUNTIME_KEYS) config[key] = SIM_DEFAULTS[key];
  config.timing = { ...SIM_DEFAULTS.timing };
  config.webhookKey = null;
  config.retiredModelsChosen = false; // whether the caller set allowRetiredModels (sim/lib/routes.mjs)
  // Everything but host/port goes through applyConfig, which rejects unknown keys (typos).
  const { host: _host, port: _port, ...runtime } = options;
  applyConfig(config, runtime);
  return config;
}

/** Validates `partial` whole before changing anything, so a bad update leaves config intact. */
export function applyConfig(config, partial) {
  if (partial === null || typeof partial !== "object" || Array.isArray(partial)) {
    throw new TypeError("config must be an object");
  }
  const next = {};
  for (const [key, value] of Object.entries(partial)) {
    if (!RUNTIME_KEYS.has(key)) throw new TypeError(`unknown or fixed config key: ${key}`);
    next[key] = normalize(key, value, config);
  }
  Object.assign(config, next);
  if ("webhookSecret" in next) config.webhookKey = webhookKey(next.webhookSecret);
  if ("allowRetiredModels" in next) config.retiredModelsChosen = true;
}

function normalize(key, value, config) {
  switch (key) {
    case "accessKey":
    case "secretKey":
    case "apiKey":
      if (typeof value !== "string" || value === "") throw new TypeError(`${key} must be a non-empty string`);
      return value;
    case "timing":
      return normalizeTiming(value, config.timing);
    case "extendSeconds":
    case "callbackTimeoutMs":
      return positiveNumber(key, value);
    case "callbacks":
    case "allowRetiredModels":
      if (typeof value !== "boolean") throw new TypeError(`${key} must be a boolean`);
      return value;
    case "failNextTasks":
    case "mismatchNextClips":
      if (!Number.isInteger(value) || value < 0) throw new TypeError(`${key} must be a whole number`);
      return value;
    case "clockOffsetMs":
      if (!Number.isFinite(value)) throw new TypeError("clockOffsetMs must be a finite number");
      return value;
    case "maxConcurrentTasks":
      // JSON has no Infinity: null means "no cap".
      return value === null || value === Infinity ? Infinity : positiveInteger(key, value);
    case "rateLimit":
      return normalizeRateLimit(value);
    case "webhookSecret":
      if (value !== null && typeof value !== "string") throw new TypeError("webhookSecret must be a string or null");
      webhookKey(value);
      return value || null;
  }
}

function normalizeTiming(value, current) {
  if (value === null || typeof value !== "object") throw new TypeError("timing must be an object");
  const timing = { ...current };
  for (const key of ["submittedMs", "processingMs"]) {
    if (key in value) {
      if (!Number.isFinite(value[key]) || value[key] < 0) throw new TypeError(`timing.${key} must be >= 0`);
      timing[key] = value[key];
    }
  }
  return timing;
}

function normalizeRateLimit(value) {
  if (value === null) return null;
  const limit = typeof value === "string" ? parseRateLimit(value) : value;
  return { max: positiveInteger("rateLimit.max", limit?.max), windowMs: positiveNumber("rateLimit.windowMs", limit?.windowMs) };
}

/** "10/1000" → { max: 10, windowMs: 1000 } (the CLI's --rate-limit syntax). */
export function parseRateLimit(text) {
  const match = /^(\d+)\/(\d+)$/.exec(String(text).trim());
  if (!match) throw new TypeError(`rate limit must look like N/windowMs, got "${text}"`);
  return { max: Number(match[1]), windowMs: Number(match[2]) };
}

/** Standard Webhooks: the HMAC key is the base64 payload after the "whsec_" prefix. */
function webhookKey(secret) {
  if (!secret) return null;
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  if (key.length === 0) throw new TypeError('webhookSecret must be "whsec_" followed by base64 key bytes');
  return key;
}

function positiveNumber(key, value) {
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`${key} must be a positive number`);
  return value;
}

function positiveInteger(key, value) {
  if (!Number.isInteger(value) || value <= 0) throw new TypeError(`${key} must be a positive integer`);
  return value;
}

/** The config as JSON can show it (Infinity → null, no derived key bytes or bookkeeping). */
export function publicConfig(config) {
  const { webhookKey: _derived, retiredModelsChosen: _chosen, ...rest } = config;
  return { ...rest, maxConcurrentTasks: Number.isFinite(config.maxConcurrentTasks) ? config.maxConcurrentTasks : null };
}
