// Helpers of the reliability suites. The e2e helpers are imported, not copied.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { KlingClient, SIM_DEFAULTS } from "../e2e/support.mjs";

export * from "../e2e/support.mjs";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const RESULTS_DIR = join(ROOT, ".tmp", "reliability");

/** Writes `.tmp/reliability/<name>.json` (the only output of the tests; the report reads it). */
export function writeResults(name, data) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ generatedAt: new Date().toISOString(), node: process.version, ...data }, null, 2)}\n`);
  return file;
}

/** Whether the built package knows a client option (unknown options are refused at construction). */
export function supportsOption(name, value) {
  try {
    new KlingClient({ accessKey: SIM_DEFAULTS.accessKey, secretKey: SIM_DEFAULTS.secretKey, baseUrl: "http://127.0.0.1:1", [name]: value });
    return true;
  } catch (e) {
    if (e && e.code === "ERR_KLING_INVALID_OPTIONS" && String(e.message).includes(name)) return false;
    throw e;
  }
}

/**
 * A fetch that passes every request to the simulator and rewrites the JSON answer of the matching
 * ones (`{method?, path?, skip?, times?, rewrite(envelope) → envelope}`): for body shapes the
 * simulator's fault rules cannot produce (a task without a field, extra fields, unknown status).
 * `hits` lists the paths rewritten.
 */
export function rewritingFetch(rule) {
  let skip = rule.skip ?? 0;
  let times = rule.times ?? 1;
  const hits = [];
  async function fetchRewriting(url, init) {
    const response = await globalThis.fetch(url, init);
    const method = (init?.method ?? "GET").toUpperCase();
    const path = new URL(url).pathname;
    if (times === 0 || (rule.method && rule.method !== method) || (rule.path && !rule.path(path))) return response;
    if (skip > 0) {
      skip--;
      return response;
    }
    times--;
    hits.push(`${method} ${path}`);
    const envelope = rule.rewrite(await response.json());
    const headers = new Headers(response.headers);
    headers.delete("content-length");
    headers.delete("content-encoding");
    return new Response(JSON.stringify(envelope), { status: response.status, headers });
  }
  fetchRewriting.hits = hits;
  return fetchRewriting;
}

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The settled outcome of a promise, without throwing. */
export async function settle(promise) {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}
