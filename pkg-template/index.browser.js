// Browsers and bundlers: the wasm is fetched once, by `await init()`. Until then every export
// throws a KlingError that says so, instead of wasm-bindgen's "cannot read properties of undefined".
import load, * as glue from "./kling_edge.js";
import { KlingError } from "./kling-error.js";

let ready = false;
let loading;

/**
 * Loads the wasm module (once; later calls return the same promise). `input` may be a URL, a
 * Response, bytes or a WebAssembly.Module; by default the .wasm next to this file is fetched.
 */
export function init(input) {
  loading ??= load(input === undefined ? undefined : { module_or_path: input }).then(() => {
    ready = true;
  });
  return loading;
}

/** Loads the wasm module synchronously from bytes or a compiled WebAssembly.Module. */
export function initSync(module) {
  glue.initSync({ module });
  ready = true;
}

function assertReady(what) {
  if (ready) return;
  throw new KlingError(
    "ERR_KLING_NOT_INITIALIZED",
    `kling-edge is not initialised: \`await init()\` once before using ${what} (browsers load the WebAssembly module asynchronously)`,
    { retryable: false },
  );
}

/** `glue[name]`, refusing with ERR_KLING_NOT_INITIALIZED until the module is loaded. */
// biome-ignore lint/correctness/noUnusedVariables: the exports that build-pkg writes below call it
const whenReady =
  (name) =>
  (...args) => {
    assertReady(name);
    return glue[name](...args);
  };

// The public names of exports.json, written here by build-pkg (scripts/entries.mjs).
// @exports whenReady
