// Cloudflare Workers: workerd compiles imported .wasm modules but refuses to compile bytes.
import wasm from "./kling_edge_bg.wasm";
import { initSync } from "./kling_edge.js";

initSync({ module: wasm });

export * from "./kling_edge.js";

/** Already initialised at import here; kept so the same code runs in browsers. */
export async function init() {}
