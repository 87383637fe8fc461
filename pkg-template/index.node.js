// Node, Deno and Bun: the wasm sits next to this file; load it synchronously at import.
import { readFileSync } from "node:fs";
import { initSync as load } from "./kling_edge.js";

load({ module: readFileSync(new URL("./kling_edge_bg.wasm", import.meta.url)) });

// The public names of exports.json, written here by build-pkg (scripts/entries.mjs).
// @exports reexport

/** Already initialised at import here; kept so the same code runs in browsers. */
export async function init() {}

/** Already initialised at import here; kept so the same code runs in browsers. */
export function initSync() {}
