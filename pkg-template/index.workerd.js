// Cloudflare Workers: workerd compiles imported .wasm modules but refuses to compile bytes.

import { initSync as load } from "./kling_edge.js";
import wasm from "./kling_edge_bg.wasm";

load({ module: wasm });

export {
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
  signToken,
  statusRank,
  verifyCallback,
} from "./kling_edge.js";
export { KlingError } from "./kling-error.js";

/** Already initialised at import here; kept so the same code runs in browsers. */
export async function init() {}

/** Already initialised at import here; kept so the same code runs in browsers. */
export function initSync() {}
