// Builds a consumer project with webpack 5's Node API (no CLI): entry <dir>/main.mjs → <dir>/dist/
// (main.cjs for --target node, main.js + index.html for --target web).
// Writes <dir>/build.json ({webpack, notes}: which of the package's files were bundled, the files
// emitted) for the run to report. Exits non-zero on a build error.
//
//   node tests/runtimes/shared/webpack.mjs <dir> --target node|web [--mode production|development]
import { copyFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import webpack from "webpack";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { target: { type: "string", default: "web" }, mode: { type: "string", default: "production" } },
});
const dir = resolve(positionals[0]);
const out = join(dir, "dist");

// What a project gets from webpack's defaults for its target: no loaders, no resolve tweaks.
const config = {
  mode: values.mode,
  target: values.target,
  context: dir,
  entry: "./main.mjs",
  // A node build is CommonJS (webpack's default there, and Next.js's server output): main.cjs.
  output: { path: out, filename: values.target === "node" ? "main.cjs" : "main.js", clean: true },
  devtool: false,
  performance: { hints: false },
  infrastructureLogging: { level: "error" },
};

const stats = await new Promise((ok, fail) => webpack(config, (err, s) => (err ? fail(err) : ok(s))));
const info = stats.toJson({ all: false, errors: true, warnings: true, modules: true, nestedModules: true });
if (stats.hasErrors()) {
  for (const e of info.errors) console.error(`webpack: ${e.message}`);
  process.exit(1);
}

// Module names look like "./node_modules/kling-edge/index.node.js" (concatenated ones are nested).
const names = new Set();
const walk = (modules = []) => {
  for (const m of modules) {
    const name = m.name ?? "";
    const hit = name.match(/node_modules\/kling-edge\/([^ ]+)/);
    if (hit && !m.modules) names.add(hit[1]);
    walk(m.modules);
  }
};
walk(info.modules);
if (values.target === "web") copyFileSync(join(dir, "index.html"), join(out, "index.html"));
const notes = [
  `webpack ${values.mode}, target ${values.target}; bundled from kling-edge: ${[...names].sort().join(", ") || "nothing"}`,
  `dist: ${readdirSync(out).sort().join(" ")}`,
  ...info.warnings.map((w) => `webpack warning: ${w.message.split("\n")[0]}`),
];
writeFileSync(join(dir, "build.json"), JSON.stringify({ webpack: webpack.version, notes }, null, 2));
console.log(notes.join("\n"));
