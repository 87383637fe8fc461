// Row 4 — size: the .wasm raw and gzip, the JS glue, and the total a browser downloads for
// kling-edge (and, on its own line, for the clip joiner kling-edge/mp4), beside other API clients bundled the same way by esbuild (one-line entries, browser
// platform and condition, minified, ESM). gzip at level 9 (brotli shown too, quality 11).
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants } from "node:zlib";
import * as esbuild from "esbuild";
import { gzipLen, kb, main, PKG, ROOT, TMP, table } from "./lib.mjs";

/** `entry` bundled for a browser, minified, as a user's build would ship it. */
const browserBundle = (entry) =>
  esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: "browser",
    conditions: ["browser"],
    format: "esm",
    minify: true,
    write: false,
    logLevel: "silent",
    metafile: true,
  });

const brLen = (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const version = (name) => JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")).version;

const ENTRIES = {
  "kling-edge": 'export { init, KlingClient } from "kling-edge";',
  "kling-edge (KlingClient only)": 'export { KlingClient } from "kling-edge";',
  [`openai ${version("openai")}`]: 'export { default as OpenAI } from "openai";',
  [`@fal-ai/client ${version("@fal-ai/client")}`]: 'export { createFalClient } from "@fal-ai/client";',
  [`replicate ${version("replicate")}`]: 'export { default as Replicate } from "replicate";',
  [`jose ${version("jose")} (SignJWT)`]: 'export { SignJWT } from "jose";',
};
// The clip joiner: its own wasm, loaded only by whoever imports `kling-edge/mp4`.
const MP4_ENTRY = 'export { init, join, joinStream } from "kling-edge/mp4";';

/** Section sizes of a wasm module: code, data, everything else. */
function wasmSections(bytes) {
  let i = 8;
  const leb = () => {
    let r = 0,
      s = 0,
      x;
    do {
      x = bytes[i++];
      r += (x & 127) * 2 ** s;
      s += 7;
    } while (x & 128);
    return r;
  };
  const out = { code: 0, data: 0, other: 0, custom: [] };
  while (i < bytes.length) {
    const id = bytes[i++];
    const len = leb();
    const start = i;
    if (id === 10) out.code += len;
    else if (id === 11) out.data += len;
    else out.other += len;
    if (id === 0) {
      const n = leb();
      out.custom.push(Buffer.from(bytes.subarray(i, i + n)).toString());
    }
    i = start + len;
  }
  return out;
}

export async function run() {
  const dir = join(TMP, "size");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  symlinkSync(PKG, join(dir, "node_modules/kling-edge"), "dir");

  const wasm = readFileSync(join(PKG, "kling_edge_bg.wasm"));
  const glue = readFileSync(join(PKG, "kling_edge.js"));
  const snippetDir = join(PKG, "snippets");
  const snippets = readdirSync(snippetDir, { recursive: true })
    .filter((f) => f.endsWith(".js"))
    .map((f) => readFileSync(join(snippetDir, f)));
  const browserEntry = readFileSync(join(PKG, "index.browser.js"));
  const sections = wasmSections(wasm);

  const bundles = {};
  for (const [name, line] of Object.entries(ENTRIES)) {
    const entry = join(dir, `${name.replace(/[^a-z0-9]+/gi, "_")}.mjs`);
    writeFileSync(entry, `${line}\n`);
    const r = await browserBundle(entry);
    const js = Buffer.from(r.outputFiles[0].contents);
    const assets = [];
    if (name.startsWith("kling-edge")) assets.push(wasm); // fetched by init() next to the module
    bundles[name] = {
      line,
      js: js.length,
      jsGz: gzipLen(js),
      jsBr: brLen(js),
      total: js.length + assets.reduce((n, a) => n + a.length, 0),
      totalGz: gzipLen(js) + assets.reduce((n, a) => n + gzipLen(a), 0),
      totalBr: brLen(js) + assets.reduce((n, a) => n + brLen(a), 0),
      inputs: Object.keys(r.metafile.inputs).length,
    };
  }
  const mp4Wasm = readFileSync(join(PKG, "mp4/kling_edge_mp4_bg.wasm"));
  const mp4Glue = readFileSync(join(PKG, "mp4/kling_edge_mp4.js"));
  const mp4Sections = wasmSections(mp4Wasm);
  const mp4Entry = join(dir, "kling_edge_mp4.mjs");
  writeFileSync(mp4Entry, `${MP4_ENTRY}\n`);
  const mp4Built = await browserBundle(mp4Entry);
  const mp4Js = Buffer.from(mp4Built.outputFiles[0].contents);
  const mp4Gz = gzipLen(mp4Wasm) + gzipLen(mp4Glue);
  const k = bundles["kling-edge"];
  const openaiName = Object.keys(bundles).find((n) => n.startsWith("openai"));
  const o = bundles[openaiName];
  const rows = [
    [
      "kling-edge `.wasm`",
      kb(wasm.length),
      kb(gzipLen(wasm)),
      kb(brLen(wasm)),
      `code section ${kb(sections.code)}, data ${kb(sections.data)}, other ${kb(sections.other)} (custom: ${sections.custom.join(", ") || "none"})`,
    ],
    [
      "kling-edge JS glue `kling_edge.js`",
      kb(glue.length),
      kb(gzipLen(glue)),
      kb(brLen(glue)),
      "wasm-bindgen output, unminified as published",
    ],
    [
      "kling-edge `snippets/**/host.js`",
      kb(snippets.reduce((n, s) => n + s.length, 0)),
      kb(snippets.reduce((n, s) => n + gzipLen(s), 0)),
      kb(snippets.reduce((n, s) => n + brLen(s), 0)),
      "the JS half of the host",
    ],
    ["kling-edge `index.browser.js`", kb(browserEntry.length), kb(gzipLen(browserEntry)), kb(brLen(browserEntry)), "browser entry"],
    [
      "kling-edge/mp4 `.wasm` (the clip joiner)",
      kb(mp4Wasm.length),
      kb(gzipLen(mp4Wasm)),
      kb(brLen(mp4Wasm)),
      `code section ${kb(mp4Sections.code)}, data ${kb(mp4Sections.data)}, other ${kb(mp4Sections.other)}`,
    ],
    [
      "kling-edge/mp4 JS glue `mp4/kling_edge_mp4.js`",
      kb(mp4Glue.length),
      kb(gzipLen(mp4Glue)),
      kb(brLen(mp4Glue)),
      "wasm-bindgen output, unminified as published",
    ],
    [
      "**kling-edge/mp4: bundle + .wasm**",
      kb(mp4Js.length + mp4Wasm.length),
      `**${kb(gzipLen(mp4Js) + gzipLen(mp4Wasm))}**`,
      kb(brLen(mp4Js) + brLen(mp4Wasm)),
      `\`${MP4_ENTRY}\` — JS ${kb(mp4Js.length)} (${kb(gzipLen(mp4Js))} gzip) + .wasm; downloaded only by a page that imports it, on top of kling-edge's`,
    ],
    ...Object.entries(bundles).map(([name, b]) => [
      name.startsWith("kling-edge") ? `**${name}: bundle + .wasm**` : `**${name}: bundle**`,
      kb(b.total),
      `**${kb(b.totalGz)}**`,
      kb(b.totalBr),
      `\`${b.line}\` — JS ${kb(b.js)} (${kb(b.jsGz)} gzip) from ${b.inputs} input files${name.startsWith("kling-edge") ? ` + .wasm ${kb(wasm.length)} (${kb(gzipLen(wasm))} gzip)` : ""}`,
    ]),
  ];
  return {
    id: "size",
    title: "4. Size (bytes a browser downloads)",
    summary: [
      {
        row: "4. Browser download, gzip",
        value: kb(k.totalGz),
        against: `${openaiName} ${kb(o.totalGz)}`,
        goal: "≤ 30 KB",
        ok: k.totalGz <= 30_000,
      },
      {
        row: "4. Browser download vs openai",
        value: `${(k.totalGz / o.totalGz).toFixed(2)}× openai`,
        against: `${openaiName} ${kb(o.totalGz)}`,
        goal: "smaller than openai",
        ok: k.totalGz < o.totalGz,
      },
      {
        row: "4. kling-edge/mp4 (clip joiner) .wasm + glue, gzip",
        value: kb(mp4Gz),
        against: `.wasm ${kb(gzipLen(mp4Wasm))} + glue ${kb(gzipLen(mp4Glue))}; the main module ${kb(gzipLen(wasm))}`,
        goal: "none set",
        ok: null,
      },
    ],
    table: table(["what", "raw", "gzip -9", "brotli 11", "notes"], rows),
    notes: [
      'Bundles: esbuild (`bundle`, `platform: "browser"`, `conditions: ["browser"]`, `format: "esm"`, `minify`) of a one-line entry that re-exports the client, so nothing is tree-shaken away. kling-edge resolves through its package.json `browser` export to `index.browser.js`; its .wasm is a separate asset that `init()` fetches, counted in the total.',
      "The kling-edge headline entry is `{ init, KlingClient }` (a browser must call `init()` before `new KlingClient`); `KlingClient` alone is shown too. Other libraries are pure JS: their bundle is the whole download.",
      "kling-edge/mp4 is a separate entry with its own .wasm (`pkg/mp4/`): the figures above for kling-edge do not include it; its bundle is built the same way from `" +
        MP4_ENTRY +
        "`.",
      "1 KB = 1000 bytes.",
    ],
  };
}

await main(import.meta.url, run);
