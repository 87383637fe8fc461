// The package's public names are listed once, in pkg-template/exports.json: scripts/entries.mjs
// writes them into each entry file, and every published entry (Node, browsers, workerd, index.d.ts)
// exports exactly them. kling-edge/mp4's entries re-export its api.js whole.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire, register } from "node:module";
import { test } from "node:test";
import { checkList, ENTRIES, renderEntry } from "../../scripts/entries.mjs";

const ROOT = new URL("../../", import.meta.url);
const read = (path) => readFileSync(new URL(path, ROOT), "utf8");
const LIST = JSON.parse(read("pkg-template/exports.json"));
const VALUES = [...LIST.classes, ...LIST.functions, ...LIST.error, ...LIST.own].sort();

// workerd imports the .wasm as a compiled module; so does Node here, for the workerd entry.
register(
  `data:text/javascript,${encodeURIComponent(`
    export async function load(url, context, next) {
      if (!url.endsWith(".wasm")) return next(url, context);
      return {
        format: "module",
        shortCircuit: true,
        source: 'import { readFileSync } from "node:fs"; export default new WebAssembly.Module(readFileSync(new URL(import.meta.url)));',
      };
    }`)}`,
);

/** The names `path` (a .d.ts) exports, as TypeScript reads them: `{ values, types }`, each sorted. */
function declared(path) {
  const ts = createRequire(import.meta.url)("typescript");
  const file = new URL(path, ROOT).pathname;
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const values = [];
  const types = [];
  for (const symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file)))) {
    const typeOnly = symbol.declarations.some((d) => ts.isExportSpecifier(d) && (d.isTypeOnly || d.parent.parent.isTypeOnly));
    const resolved = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    (!typeOnly && resolved.flags & ts.SymbolFlags.Value ? values : types).push(symbol.name);
  }
  return { values: values.sort(), types: types.sort() };
}

test("exports.json: names, none twice; a bad list is refused", () => {
  checkList(LIST);
  assert.throws(() => checkList({ ...LIST, types: [...LIST.types, "signToken"] }), /signToken is listed twice/);
  assert.throws(() => checkList({ ...LIST, functions: ["not a name"] }), /is not a name/);
  assert.throws(() => checkList({ ...LIST, own: undefined }), /"own" is not a list/);
});

test("each template has one `// @exports FORM` line, written in its form", () => {
  const list = { classes: ["A"], functions: ["f", "g"], error: ["E"], own: ["init"], types: ["T"] };
  const own = "export function init() {}\n";
  assert.equal(
    renderEntry("x.js", `// @exports reexport\n${own}`, list),
    `export {\n  A,\n  f,\n  g,\n} from "./kling_edge.js";\nexport { E } from "./kling-error.js";\n${own}`,
  );
  assert.equal(
    renderEntry("x.js", `// @exports whenReady\n${own}`, list),
    'export { E } from "./kling-error.js";\n' +
      'export class A extends glue.A {\n  constructor(...args) {\n    assertReady("A");\n    super(...args);\n  }\n}\n' +
      'export const f = /* @__PURE__ */ whenReady("f");\nexport const g = /* @__PURE__ */ whenReady("g");\n' +
      own,
  );
  assert.equal(
    renderEntry("x.d.ts", `// @exports declare\n${own}`, list),
    `export type { T } from "./kling_edge.js";\nexport {\n  A,\n  f,\n  g,\n  E,\n} from "./kling_edge.js";\n${own}`,
  );
  assert.throws(() => renderEntry("x.js", own, list), /x\.js: 0 `\/\/ @exports FORM` lines/);
  assert.throws(() => renderEntry("x.js", `// @exports reexport\n// @exports reexport\n${own}`, list), /2 `\/\/ @exports FORM` lines/);
  assert.throws(() => renderEntry("x.js", `// @exports everything\n${own}`, list), /unknown form "everything"/);
  assert.throws(() => renderEntry("x.js", "// @exports reexport\n", list), /does not define init/);
  for (const file of ENTRIES) assert.doesNotThrow(() => renderEntry(file, read(`pkg-template/${file}`), LIST), file);
});

test("every published entry exports exactly the listed names", async () => {
  const node = await import(new URL("pkg/index.node.js", ROOT));
  const browser = await import(new URL("pkg/index.browser.js", ROOT));
  const workerd = await import(new URL("pkg/index.workerd.js", ROOT));
  assert.deepEqual(Object.keys(node).sort(), VALUES);
  assert.deepEqual(Object.keys(browser).sort(), VALUES);
  assert.deepEqual(Object.keys(workerd).sort(), VALUES);
  assert.deepEqual(declared("pkg/index.d.ts"), { values: VALUES, types: [...LIST.types].sort() });
  // One KlingError class everywhere; the module works from the entries that load it at import.
  assert.equal(browser.KlingError, node.KlingError);
  assert.equal(workerd.KlingError, node.KlingError);
  assert.equal(typeof workerd.signToken("ak", "sk"), "string");
});

test("the browser entry refuses every class and function until init()", async () => {
  const browser = await import(new URL("pkg/index.browser.js", ROOT));
  for (const name of [...LIST.classes, ...LIST.functions]) {
    const use = LIST.classes.includes(name) ? () => new browser[name]({}) : () => browser[name]();
    assert.throws(use, (e) => e instanceof browser.KlingError && e.code === "ERR_KLING_NOT_INITIALIZED" && e.message.includes(name), name);
  }
  browser.initSync(readFileSync(new URL("pkg/kling_edge_bg.wasm", ROOT)));
  assert.equal(browser.isValidId("800000000000000001"), true);
  assert.ok(new browser.KlingClient({ accessKey: "ak", secretKey: "sk" }) instanceof browser.KlingClient);
});

test("kling-edge/mp4: every entry exports the same names, api.js's and init, initSync", async () => {
  const api = Object.keys(await import(new URL("pkg/mp4/api.js", ROOT)));
  const names = [...api, "init", "initSync"].sort();
  assert.deepEqual(api.sort(), ["KlingError", "join", "joinStream", "plan"]);
  for (const entry of ["node", "browser", "workerd"]) {
    assert.deepEqual(Object.keys(await import(new URL(`pkg/mp4/index.${entry}.js`, ROOT))).sort(), names, entry);
  }
  assert.deepEqual(declared("pkg/mp4/index.d.ts").values, names);
});
