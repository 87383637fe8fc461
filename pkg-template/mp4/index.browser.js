// Browsers and bundlers: the joiner's wasm is fetched once, by `await init()`. Until then every
// export throws a KlingError that says so.

import load, { initSync as loadSync } from "./kling_edge_mp4.js";
import { markReady } from "./ready.js";

export * from "./api.js";

let loading;

/**
 * Loads the joiner's wasm module (once; later calls return the same promise). `input` may be a
 * URL, a Response, bytes or a WebAssembly.Module; by default the .wasm next to this file is fetched.
 */
export function init(input) {
  loading ??= load(input === undefined ? undefined : { module_or_path: input }).then(markReady);
  return loading;
}

/** Loads the joiner's wasm module synchronously from bytes or a compiled WebAssembly.Module. */
export function initSync(module) {
  loadSync({ module });
  markReady();
}
