// Browsers and bundlers: the wasm is fetched once, by `await init()`. Until then every export
// throws a KlingError that says so, instead of wasm-bindgen's "cannot read properties of undefined".
import load, * as glue from "./kling_edge.js";
import { KlingError } from "./kling-error.js";

export { KlingError };

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

export class KlingClient extends glue.KlingClient {
  constructor(options) {
    assertReady("KlingClient");
    super(options);
  }
}

/** `glue[name]`, refusing with ERR_KLING_NOT_INITIALIZED until the module is loaded. */
const whenReady =
  (name) =>
  (...args) => {
    assertReady(name);
    return glue[name](...args);
  };

export const signToken = /* @__PURE__ */ whenReady("signToken");
export const verifyCallback = /* @__PURE__ */ whenReady("verifyCallback");
export const parseCallback = /* @__PURE__ */ whenReady("parseCallback");
export const planChain = /* @__PURE__ */ whenReady("planChain");
export const chainStep = /* @__PURE__ */ whenReady("chainStep");
export const pollIntervalMs = /* @__PURE__ */ whenReady("pollIntervalMs");
export const limits = /* @__PURE__ */ whenReady("limits");
export const checkParams = /* @__PURE__ */ whenReady("checkParams");
export const price = /* @__PURE__ */ whenReady("price");
export const isValidId = /* @__PURE__ */ whenReady("isValidId");
export const statusRank = /* @__PURE__ */ whenReady("statusRank");
export const errorAdvice = /* @__PURE__ */ whenReady("errorAdvice");
