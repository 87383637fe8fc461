// Browsers and bundlers: the wasm is fetched once, by `await init()`.
import load from "./kling_edge.js";

export * from "./kling_edge.js";

let loading;

/**
 * Loads the wasm module (once; later calls return the same promise). `input` may be a URL, a
 * Response, bytes or a WebAssembly.Module; by default the .wasm next to this file is fetched.
 */
export function init(input) {
  loading ??= load(input === undefined ? undefined : { module_or_path: input }).then(() => undefined);
  return loading;
}
