// Credentials and the kling-edge client. Everything here runs inside a request: in Workers,
// Date.now() stands still at module load, so clients and tokens are made per request.
import { KlingClient, signToken } from "kling-edge";
import { HttpError } from "./http.js";

export const DEFAULT_BASE_URL = "https://api-singapore.klingai.com";

export function baseUrl(env) {
  return (env.KLING_BASE_URL || DEFAULT_BASE_URL).replace(/\/+$/, "");
}

/** `{accessKey, secretKey}` or `{apiKey}`; access key + secret key win when both forms are set. */
export function credentials(env) {
  if (env.KLING_ACCESS_KEY && env.KLING_SECRET_KEY) {
    return { accessKey: env.KLING_ACCESS_KEY, secretKey: env.KLING_SECRET_KEY };
  }
  if (env.KLING_API_KEY) return { apiKey: env.KLING_API_KEY };
  throw new HttpError(500, "ERR_NOT_CONFIGURED", "no Kling credentials are configured (KLING_ACCESS_KEY + KLING_SECRET_KEY, or KLING_API_KEY)");
}

/** Every value that must never appear in an answer. */
export function secretsOf(env) {
  return [env.KLING_SECRET_KEY, env.KLING_API_KEY, env.KLING_WEBHOOK_SECRET].filter(Boolean);
}

export function makeClient(env) {
  return new KlingClient({ ...credentials(env), baseUrl: baseUrl(env), timeoutMs: 20_000, maxRetries: 2 });
}

/** The Authorization header the proxy adds: a short-lived JWT, or the API key. */
export function authorization(env) {
  const creds = credentials(env);
  if (creds.apiKey) return `Bearer ${creds.apiKey}`;
  return `Bearer ${signToken(creds.accessKey, creds.secretKey, { ttlSeconds: 300 })}`;
}

/** Runs `fn(client)` and frees the wasm-side client afterwards. */
export async function withClient(env, fn) {
  const client = makeClient(env);
  try {
    return await fn(client);
  } finally {
    client.free();
  }
}
