// A server bundle in the shape of a Next.js server build: webpack 5, `target: "node"`, production,
// CommonJS output run by node. Like a route handler it imports only what it calls (no init(): on a
// server the wasm loads at import), so webpack's tree-shaking decides which of the package's files
// stay, and the package's `sideEffects` must keep the entry that loads the wasm.
import { readFileSync, writeFileSync } from "node:fs";
import { KlingClient, KlingError, signToken } from "kling-edge";
import { smoke } from "./smoke.mjs";

const build = JSON.parse(readFileSync("build.json", "utf8")); // written by shared/webpack.mjs
smoke({ KlingClient, KlingError, signToken }, { simUrl: process.env.SIM_URL, withoutInit: true }).then((result) => {
  const record = { version: `Node ${process.version}, webpack ${build.webpack}`, notes: build.notes, ...result };
  writeFileSync(process.env.RESULT_FILE, JSON.stringify(record, null, 2));
  process.exitCode = result.ok ? 0 : 1;
});
