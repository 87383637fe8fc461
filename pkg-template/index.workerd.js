// Cloudflare Workers: workerd compiles imported .wasm modules but refuses to compile bytes.
import wasm from "./kling_edge_bg.wasm";
import { initSync as load } from "./kling_edge.js";

load({ module: wasm });

export { KlingError } from "./kling-error.js";
export { KlingClient, signToken, verifyCallback, parseCallback, planChain, chainStep, pollIntervalMs, limits, checkParams, isValidId, statusRank, errorAdvice } from "./kling_edge.js";

/** Already initialised at import here; kept so the same code runs in browsers. */
export async function init() {}

/** Already initialised at import here; kept so the same code runs in browsers. */
export function initSync() {}
