// Node, Deno and Bun: the joiner's wasm sits next to this file; load it synchronously at import.
import { readFileSync } from "node:fs";
import { initSync as load } from "./kling_edge_mp4.js";
import { markReady } from "./ready.js";

load({ module: readFileSync(new URL("./kling_edge_mp4_bg.wasm", import.meta.url)) });
markReady();

export * from "./api.js";

/** Already initialised at import here; kept so the same code runs in browsers. */
export async function init() {}

/** Already initialised at import here; kept so the same code runs in browsers. */
export function initSync() {}
