// A Vite app importing the package by name; `vite build` resolves the "browser" condition and
// emits the .wasm as an asset (new URL(..., import.meta.url) in the wasm-bindgen glue).
import * as kling from "kling-edge";
import { smoke } from "./smoke.mjs";

const simUrl = new URLSearchParams(location.search).get("sim");
smoke(kling, { simUrl, browser: true }).then((result) => {
  window.__klingSmoke = result;
});
