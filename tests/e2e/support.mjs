// Shared by the end-to-end tests: the built package, a fast simulator, a client bound to it.
import { SIM_DEFAULTS, startSimulator } from "../../sim/index.mjs";

export * from "../../pkg/index.node.js";

import { KlingClient } from "../../pkg/index.node.js";

export { SIM_DEFAULTS };
export const SOURCE = "800000000000000001"; // kling-v1-6, 5 s
export const V2_SOURCE = "800000000000000003"; // kling-v2-master: not extendable
export const LONG_SOURCE = "800000000000000005"; // kling-v1-6, 178 s
export const FAST = { pollIntervalMs: 15 };

/**
 * The simulator for these suites, which test the legacy extend path too: it keeps serving the
 * retired v1.x models (as for an account that kept access) unless `allowRetiredModels: false`.
 */
export async function startSim(options = {}) {
  return startSimulator({ timing: { submittedMs: 20, processingMs: 60 }, allowRetiredModels: true, ...options });
}

export function clientFor(sim, options = {}) {
  return new KlingClient({
    accessKey: SIM_DEFAULTS.accessKey,
    secretKey: SIM_DEFAULTS.secretKey,
    baseUrl: sim.url,
    ...options,
  });
}

/** The promise's rejection (fails the test if it resolves). */
export async function rejectionOf(promise) {
  try {
    const value = await promise;
    throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
  } catch (e) {
    if (e && e.name === "KlingError") return e;
    throw e;
  }
}

export function apiRequests(sim, method, pathPart) {
  return sim.requests().filter((r) => r.method === method && r.path.includes(pathPart));
}
