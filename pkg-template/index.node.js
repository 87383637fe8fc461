// Node, Deno and Bun: the wasm sits next to this file; load it synchronously at import.
import { readFileSync } from "node:fs";
import { initSync as load } from "./kling_edge.js";

load({ module: readFileSync(new URL("./kling_edge_bg.wasm", import.meta.url)) });

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
