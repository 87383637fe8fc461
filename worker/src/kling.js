// The one module that speaks to kling-edge: credentials, the client (made per request: in Workers
// Date.now() stands still at module load, so a client made there would sign with a stale clock),
// and the calls by family: the package's resource of each family is named here only.
import { chainStep, errorAdvice, KlingClient, parseCallback, planChain, pollIntervalMs, statusRank, verifyCallback } from "kling-edge";
import { HttpError } from "./http.js";

// A chain's arithmetic (checks, the 180 s cap before each step, the next video id, step ids,
// durations) and the poll schedule are the package's: the Workflow only keeps the state.
export { chainStep, errorAdvice, parseCallback, planChain, pollIntervalMs, statusRank, verifyCallback };

export const DEFAULT_BASE_URL = "https://api-singapore.klingai.com";

/** The package's resource per family. */
const RESOURCE = { "video-extend": "extensions", text2video: "textToVideo", image2video: "imageToVideo" };

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

/** Every value that must never appear in an answer. */
export function secretsOf(env) {
  return [env.KLING_SECRET_KEY, env.KLING_API_KEY, env.KLING_WEBHOOK_SECRET, env.KLING_EDGE_SESSION_SECRET].filter(Boolean);
}

function call(client, family, op, ...args) {
  return client[RESOURCE[family]][op](...args);
}

async function withClient(env, fn) {
  // The service's ALLOWED_MODELS decides which models its users may ask for (today the v1.x
  // models whose videos video-extend takes, retired on Kling since 2026-09-15): the package's own
  // refusal of retired models would overrule it.
  const client = new KlingClient({
    ...credentials(env),
    baseUrl: baseUrl(env),
    timeoutMs: 20_000,
    maxRetries: 2,
    allowRetiredModels: true,
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
