// Cloudflare Workers: workerd compiles imported .wasm modules but refuses to compile bytes.

import { initSync as load } from "./kling_edge.js";
import wasm from "./kling_edge_bg.wasm";

load({ module: wasm });

// The public names of exports.json, written here by build-pkg (scripts/entries.mjs).
// @exports reexport

/** Already initialised at import here; kept so the same code runs in browsers. */
export async function init() {}

/** Already initialised at import here; kept so the same code runs in browsers. */
export function initSync() {}
