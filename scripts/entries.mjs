#!/usr/bin/env node
// Writes the package's entry files (index.browser.js, index.node.js, index.workerd.js, index.d.ts)
// from their templates in pkg-template/ and the one list of public names, pkg-template/exports.json.
// A template holds its runtime's own code and one `// @exports FORM` line, which becomes the list in
// that form:
//   reexport  the glue's classes and functions, and KlingError, re-exported as they are (Node, Deno,
//             Bun, workerd: the module is loaded at import);
//   whenReady the same names refusing ERR_KLING_NOT_INITIALIZED until `init()` has loaded the module
//             (browsers): a subclass per class and `whenReady(name)` per function, both the
//             template's helpers;
//   declare   index.d.ts's type-only and value exports of kling_edge.d.ts.
// Usage: node scripts/entries.mjs <template dir> <out dir>
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The entry files written from templates of the same name. */
export const ENTRIES = ["index.browser.js", "index.node.js", "index.workerd.js", "index.d.ts"];

const GLUE = "./kling_edge.js";
const ERROR = "./kling-error.js";

/** `export { a, b } from "from";` (or `export type`), one name a line when there are several. */
const exportFrom = (names, from, keyword = "export") =>
  names.length === 1
    ? `${keyword} { ${names[0]} } from "${from}";`
    : `${keyword} {\n${names.map((n) => `  ${n},\n`).join("")}} from "${from}";`;

/** What a `// @exports FORM` line becomes. */
const FORMS = {
  reexport: (x) => [exportFrom([...x.classes, ...x.functions], GLUE), exportFrom(x.error, ERROR)].join("\n"),
  whenReady: (x) =>
    [
      exportFrom(x.error, ERROR),
      ...x.classes.map(
        (name) =>
          `export class ${name} extends glue.${name} {\n  constructor(...args) {\n    assertReady("${name}");\n    super(...args);\n  }\n}`,
      ),
      ...x.functions.map((name) => `export const ${name} = /* @__PURE__ */ whenReady("${name}");`),
    ].join("\n"),
  declare: (x) => [exportFrom(x.types, GLUE, "export type"), exportFrom([...x.classes, ...x.functions, ...x.error], GLUE)].join("\n"),
};

/** Throws unless `exports` is a list of names under each expected key, no name twice. */
export function checkList(exports) {
  const seen = new Set();
  for (const key of ["classes", "functions", "error", "own", "types"]) {
    const names = exports?.[key];
    if (!Array.isArray(names)) throw new Error(`exports.json: "${key}" is not a list of names`);
    for (const name of names) {
      if (typeof name !== "string" || !/^[A-Za-z_$][\w$]*$/.test(name))
        throw new Error(`exports.json: ${JSON.stringify(name)} in "${key}" is not a name`);
      if (seen.has(name)) throw new Error(`exports.json: ${name} is listed twice`);
      seen.add(name);
    }
  }
}

/**
 * The entry `file` written from its `template`: the one `// @exports FORM` line replaced by the
 * names of `exports` in that form. Throws when the template has no such line or several, names an
 * unknown form, or does not itself define each of `exports.own`.
 */
export function renderEntry(file, template, exports) {
  checkList(exports);
  const markers = [...template.matchAll(/^\/\/ @exports (\S+)$/gm)];
  if (markers.length !== 1) throw new Error(`${file}: ${markers.length} \`// @exports FORM\` lines, not one`);
  const [line, form] = markers[0];
  if (!Object.hasOwn(FORMS, form)) throw new Error(`${file}: unknown form "${form}" (one of ${Object.keys(FORMS).join(", ")})`);
  for (const name of exports.own) {
    if (!new RegExp(`^export (async )?function ${name}\\(`, "m").test(template))
      throw new Error(`${file}: the template does not define ${name}`);
  }
  return template.replace(line, () => FORMS[form](exports));
}

/** Writes every entry of `ENTRIES` into `outDir` from `templateDir`'s templates and exports.json. */
export function writeEntries(templateDir, outDir) {
  const exports = JSON.parse(readFileSync(join(templateDir, "exports.json"), "utf8"));
  for (const file of ENTRIES) writeFileSync(join(outDir, file), renderEntry(file, readFileSync(join(templateDir, file), "utf8"), exports));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [templateDir, outDir] = process.argv.slice(2);
  if (!templateDir || !outDir) {
    console.error("usage: node scripts/entries.mjs <template dir> <out dir>");
    process.exit(2);
  }
  try {
    writeEntries(templateDir, outDir);
  } catch (e) {
    console.error(`entries: ${e.message}`);
    process.exit(1);
  }
}
