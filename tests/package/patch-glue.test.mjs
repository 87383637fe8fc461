// scripts/patch-glue.mjs: wasm-bindgen's repeated namespace imports of one snippet, and their keys
// in the imports object, become one.
import assert from "node:assert/strict";
import { test } from "node:test";
import { dedupeImports } from "../../scripts/patch-glue.mjs";

const HOST = "./snippets/kling-edge-0123456789abcdef/src/wasm/host.js";
const OTHER = "./snippets/kling-edge-0123456789abcdef/src/wasm/other.js";

/** A glue shaped as wasm-bindgen writes it: one import per imported function, one key per import. */
const glue = (imports, keys) =>
  [
    '/* @ts-self-types="./kling_edge.d.ts" */',
    "",
    ...imports,
    "",
    "function __wbg_get_imports() {",
    "    const import0 = {};",
    "    return {",
    "        __proto__: null,",
    '        "./kling_edge_bg.js": import0,',
    ...keys,
    "    };",
    "}",
    "",
  ].join("\n");

test("repeated imports of one file become the first, and so do their keys", () => {
  const input = glue(
    [`import * as import1 from "${HOST}"`, `import * as import2 from "${HOST}"`, `import * as import3 from "${HOST}"`],
    [`        "${HOST}": import1,`, `        "${HOST}": import2,`, `        "${HOST}": import3,`],
  );
  const out = dedupeImports(input);
  assert.equal(out, glue([`import * as import1 from "${HOST}"`], [`        "${HOST}": import1,`]));
  assert.equal(out.match(/^import \* as/gm).length, 1);
  assert.equal(out.match(new RegExp(`"${HOST.replaceAll(".", "\\.")}": import`, "g")).length, 1);
});

test("each file keeps its own first import and key", () => {
  const input = glue(
    [`import * as import1 from "${HOST}"`, `import * as import2 from "${OTHER}"`, `import * as import3 from "${HOST}"`],
    [`        "${HOST}": import1,`, `        "${OTHER}": import2,`, `        "${HOST}": import3,`],
  );
  assert.equal(
    dedupeImports(input),
    glue(
      [`import * as import1 from "${HOST}"`, `import * as import2 from "${OTHER}"`],
      [`        "${HOST}": import1,`, `        "${OTHER}": import2,`],
    ),
  );
});

test("a glue without repeats, and the patched glue, are left as they are", () => {
  const once = glue([`import * as import1 from "${HOST}"`], [`        "${HOST}": import1,`]);
  assert.equal(dedupeImports(once), once);
  const twice = glue([`import * as import1 from "${HOST}"`, `import * as import2 from "${HOST}"`], []);
  assert.equal(dedupeImports(dedupeImports(twice)), dedupeImports(twice));
});

test("lines that only look alike are kept: other imports, keys of other files, code", () => {
  const input = [
    `import * as import1 from "${HOST}"`,
    `import { a } from "${HOST}"`,
    `const x = { "${HOST}": import1, "y": import2 };`,
    `        "./unseen.js": import9,`,
  ].join("\n");
  assert.equal(dedupeImports(input), input);
});
