// scripts/short-names.mjs: the glue's imports and the long closure exports get short names, in the
// module and in the glue alike; a name the glue does not hold where wasm-bindgen puts it fails.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { renameGlue, renameTypes, shorten } from "../../scripts/short-names.mjs";

const pkg = (f) => new URL(`../../pkg/${f}`, import.meta.url);

test("the built module imports only short names from the glue, and the glue defines each of them", () => {
  const module = new WebAssembly.Module(readFileSync(pkg("kling_edge_bg.wasm")));
  const glue = readFileSync(pkg("kling_edge.js"), "utf8");
  const fromGlue = WebAssembly.Module.imports(module).filter((i) => i.module === "w");
  assert.ok(fromGlue.length > 50, `${fromGlue.length} imports from the glue`);
  for (const { name } of fromGlue) {
    assert.match(name, /^[a-z]{1,2}$/);
    assert.match(glue, new RegExp(`^\\s+${name}: function\\(`, "m"));
  }
  assert.doesNotMatch(glue, /__wbg_\w+_[0-9a-f]{16}/, "no hashed import name is left");
  for (const { name } of WebAssembly.Module.exports(module)) assert.ok(name.length <= 64, name);
  const types = readFileSync(pkg("kling_edge.d.ts"), "utf8");
  assert.doesNotMatch(types, /readonly wasm_bindgen_\w+_invoke/);
});

/** A module with one import from the glue (`./x_bg.js`) and one long export, as bytes. */
function tinyModule(longName) {
  const str = (s) => [s.length, ...Buffer.from(s)];
  const section = (id, body) => [id, body.length, ...body];
  return Buffer.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 0, 0]), // one type: () -> ()
    ...section(2, [1, ...str("./x_bg.js"), ...str("__wbg_log_0123456789abcdef"), 0, 0]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...str(longName), 0, 1]),
    ...section(10, [1, 2, 0, 0x0b]),
  ]);
}

test("a module's glue import and long export are renamed, and it still compiles", () => {
  const long = `invoke_${"x".repeat(70)}`;
  const result = shorten(tinyModule(long), "./x_bg.js");
  const module = new WebAssembly.Module(result.wasm);
  assert.deepEqual(WebAssembly.Module.imports(module), [{ module: "w", name: "a", kind: "function" }]);
  assert.deepEqual(WebAssembly.Module.exports(module), [{ name: "_a", kind: "function" }]);
  const glue = [
    "    const import0 = {",
    "        __wbg_log_0123456789abcdef: function() {",
    "        },",
    "    };",
    "    return {",
    '        "./x_bg.js": import0,',
    "    };",
    `    wasm.${long}();`,
  ].join("\n");
  const out = renameGlue(glue, result);
  assert.match(out, /^ {8}a: function\(\) \{$/m);
  assert.match(out, /"w": import0,/);
  assert.match(out, /wasm\._a\(\);/);
  assert.equal(renameTypes(`    readonly ${long}: () => void;`, result), "    readonly _a: () => void;");
});

test("a glue that lacks a renamed import fails instead of shipping a module that cannot link", () => {
  const result = shorten(tinyModule("short"), "./x_bg.js");
  const glue = '    const import0 = {\n    };\n    return {\n        "./x_bg.js": import0,\n    };';
  assert.throws(() => renameGlue(glue, result), /the import __wbg_log_0123456789abcdef is defined 0 times/);
});
