// A webpack 5 browser app (`target: "web"`, production) importing the package by name: webpack
// resolves the "browser" condition and emits the .wasm as an asset (new URL(..., import.meta.url)
// in the wasm-bindgen glue). Named imports, as an app writes them, so tree-shaking applies.
import { init, KlingClient, KlingError, signToken } from "kling-edge";
import { smoke } from "./smoke.mjs";

const simUrl = new URLSearchParams(location.search).get("sim");
smoke({ init, KlingClient, KlingError, signToken }, { simUrl, browser: true }).then((result) => {
  window.__klingSmoke = result;
});
