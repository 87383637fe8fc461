// Cloudflare Workers: workerd compiles imported .wasm modules but refuses to compile bytes.

import { initSync as load } from "./kling_edge_mp4.js";
import wasm from "./kling_edge_mp4_bg.wasm";
import { markReady } from "./ready.js";

load({ module: wasm });
markReady();

export * from "./api.js";

/** Already initialised at import here; kept so the same code runs in browsers. */
export async function init() {}

/** Already initialised at import here; kept so the same code runs in browsers. */
export function initSync() {}
