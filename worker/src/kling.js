// The one module that speaks to kling-edge: credentials, the client (made per request: in Workers
// Date.now() stands still at module load, so a client made there would sign with a stale clock),
// and the calls by family: the package's resource of each family is named here only.
import {
  chainStep,
  checkParams,
  errorAdvice,
  isValidId,
  KlingClient,
  limits,
  parseCallback,
  planChain,
  pollIntervalMs,
  price,
  statusRank,
  verifyCallback,
} from "kling-edge";
import { HttpError } from "./http.js";

/**
 * `ALLOW_RETIRED_MODELS`: an account that kept access to models Kling retired (the v1.x models
 * whose videos video-extend takes) may let its users generate with them; the package refuses them
 * otherwise.
 */
export function allowRetired(env) {
  return String(env.ALLOW_RETIRED_MODELS ?? "").toLowerCase() === "true";
}

// A chain's arithmetic (checks, the 180 s cap before each step, the next video id, step ids,
// durations) and the poll schedule are the package's: the Workflow only keeps the state.
// Kling's rules (checks, ids, limits, prices) are the package's too: the service restates none.
export {
  chainStep,
  checkParams,
  errorAdvice,
  isValidId,
  limits,
  parseCallback,
  planChain,
  pollIntervalMs,
  price,
  statusRank,
  verifyCallback,
};

export const DEFAULT_BASE_URL = "https://api-singapore.klingai.com";

/** The package's resource per family. */
const RESOURCE = { "video-extend": "extensions", text2video: "textToVideo", image2video: "imageToVideo", "omni-video": "omniVideo" };

export function baseUrl(env) {
  return (env.KLING_BASE_URL || DEFAULT_BASE_URL).replace(/\/+$/, "");
}

/** `{accessKey, secretKey}` or `{apiKey}`; access key + secret key win when both forms are set. */
export function credentials(env) {
  if (env.KLING_ACCESS_KEY && env.KLING_SECRET_KEY) {
    return { accessKey: env.KLING_ACCESS_KEY, secretKey: env.KLING_SECRET_KEY };
  }
  if (env.KLING_API_KEY) return { apiKey: env.KLING_API_KEY };
  throw new HttpError(
    500,
    "ERR_NOT_CONFIGURED",
    "no Kling credentials are configured (KLING_ACCESS_KEY + KLING_SECRET_KEY, or KLING_API_KEY)",
  );
}

/**
 * Lets the package judge the Worker's Kling settings without a request: the credentials and
 * `KLING_BASE_URL` (as a client's options) and `KLING_WEBHOOK_SECRET` (as a callback key). Throws
 * ERR_NOT_CONFIGURED naming the variable and the package's reason.
 */
export function checkKlingSettings(env) {
  const options = { ...credentials(env), baseUrl: baseUrl(env) };
  try {
    new KlingClient(options).free();
  } catch (err) {
    throw new HttpError(500, "ERR_NOT_CONFIGURED", `KLING_BASE_URL or the Kling credentials are refused: ${err?.message ?? err}`);
  }
  if (!env.KLING_WEBHOOK_SECRET) return;
  try {
    verifyCallback(new Headers(), "", env.KLING_WEBHOOK_SECRET);
  } catch (err) {
    // Any other refusal is the empty callback's, not the secret's.
    if (err?.code === "ERR_KLING_INVALID_OPTIONS") throw new HttpError(500, "ERR_NOT_CONFIGURED", `KLING_WEBHOOK_SECRET: ${err.message}`);
  }
}

/** Every value that must never appear in an answer. */
export function secretsOf(env) {
  return [env.KLING_SECRET_KEY, env.KLING_API_KEY, env.KLING_WEBHOOK_SECRET, env.KLING_EDGE_SESSION_SECRET].filter(Boolean);
}

function call(client, family, op, ...args) {
  return client[RESOURCE[family]][op](...args);
}

async function withClient(env, fn) {
  const client = new KlingClient({
    ...credentials(env),
    baseUrl: baseUrl(env),
    timeoutMs: 20_000,
    maxRetries: 2,
    // Retired models only for an account that kept access (the operator says so).
    allowRetiredModels: allowRetired(env),
  });
  try {
    return await fn(client);
  } finally {
    client.free();
  }
}

/** Creates a task (the package validates, retries and settles ambiguous failures by lookup). */
export function createTask(env, family, params) {
  return withClient(env, (client) => call(client, family, "create", params));
}

/** The account's resource packs now (`kling.account.costs` over the packs' whole lives). */
export function accountCosts(env, now = Date.now()) {
  // Kling reports packs active in the range: from 400 days back covers a yearly pack bought
  // before its start.
  return withClient(env, (client) => client.account.costs({ start_time: Math.max(0, now - 400 * 86_400_000), end_time: now }));
}

/** One task by task id or external task id. */
export function getTask(env, family, id) {
  return withClient(env, (client) => call(client, family, "get", id));
}
