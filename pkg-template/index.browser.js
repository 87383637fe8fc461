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

export function signToken(accessKey, secretKey, options) {
  assertReady("signToken");
  return glue.signToken(accessKey, secretKey, options);
}

export function verifyCallback(headers, rawBody, secret, options) {
  assertReady("verifyCallback");
  return glue.verifyCallback(headers, rawBody, secret, options);
}

export function parseCallback(rawBody) {
  assertReady("parseCallback");
  return glue.parseCallback(rawBody);
}

export function planChain(params) {
  assertReady("planChain");
  return glue.planChain(params);
}

export function chainStep(params, done, attempt) {
  assertReady("chainStep");
  return glue.chainStep(params, done, attempt);
}

export function pollIntervalMs(waitedMs) {
  assertReady("pollIntervalMs");
  return glue.pollIntervalMs(waitedMs);
}

export function limits() {
  assertReady("limits");
  return glue.limits();
}

export function checkParams(family, params) {
  assertReady("checkParams");
  return glue.checkParams(family, params);
}

export function isValidId(id) {
  assertReady("isValidId");
  return glue.isValidId(id);
}

export function statusRank(status) {
  assertReady("statusRank");
  return glue.statusRank(status);
}

export function errorAdvice(code, apiCode) {
  assertReady("errorAdvice");
  return glue.errorAdvice(code, apiCode);
}
