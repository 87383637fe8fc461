// Whether the joiner's wasm module is instantiated: set by the runtime's entry file, read by api.js
// (which holds the public names, so that each entry re-exports all of it).
let ready = false;

/** Called by the entry file once the wasm module is instantiated. */
export function markReady() {
  ready = true;
}

/** Whether `markReady` has been called. */
export function isReady() {
  return ready;
}
