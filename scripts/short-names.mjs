#!/usr/bin/env node
// wasm-bindgen names each import of the glue `__wbg_<name>_<16 hex digits of hash>` and the glue's
// own module "./<name>_bg.js", and exports closure shims under their whole Rust paths (hundreds of
// characters). The names travel twice, in the .wasm and in the glue, and a minifier cannot shorten
// object keys or property names: this gives those imports, and the exports the glue calls, short
// names in both, consistently. Every name is checked to occur where it must, or the build fails.
// Usage: node scripts/short-names.mjs <module.wasm> <glue.js> <glue.d.ts>   (rewritten in place)
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Unsigned LEB128 at `p`: [value, next position]. */
function uleb(buf, p) {
  let n = 0;
  let shift = 0;
  let b;
  do {
    b = buf[p++];
    n += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return [n, p];
}

function encodeUleb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return Buffer.from(out);
}

const name = (s) => {
  const bytes = Buffer.from(s, "utf8");
  return Buffer.concat([encodeUleb(bytes.length), bytes]);
};

/** The short name of the `i`th renamed entry: a, b, …, z, aa, ab, … (with `prefix`). */
function short(prefix, i) {
  let s = "";
  do {
    s = String.fromCharCode(97 + (i % 26)) + s;
    i = Math.floor(i / 26) - 1;
  } while (i >= 0);
  return prefix + s;
}

/**
 * The module with its glue imports and long exports renamed, and the map of old to new names:
 * `{ module: [old, new], imports: Map, exports: Map }`.
 */
export function shorten(wasm, glueModule, { renameExport = (name) => name.length > 64 } = {}) {
  const imports = new Map();
  const exports = new Map();
  const moduleName = ["w", glueModule];
  const parts = [wasm.subarray(0, 8)];
  let p = 8;
  while (p < wasm.length) {
    const id = wasm[p];
    const [size, start] = uleb(wasm, p + 1);
    const end = start + size;
    let body = wasm.subarray(start, end);
    if (id === 2) body = importSection(body, glueModule, imports);
    if (id === 7) body = exportSection(body, renameExport, exports);
    parts.push(Buffer.from([id]), encodeUleb(body.length), body);
    p = end;
  }
  return { wasm: Buffer.concat(parts), module: moduleName, imports, exports };
}

function importSection(body, glueModule, renamed) {
  let [count, q] = uleb(body, 0);
  const out = [encodeUleb(count)];
  for (let i = 0; i < count; i++) {
    const [ml, q1] = uleb(body, q);
    const mod = body.toString("utf8", q1, q1 + ml);
    const [fl, q2] = uleb(body, q1 + ml);
    const field = body.toString("utf8", q2, q2 + fl);
    const descStart = q2 + fl;
    q = skipImportDesc(body, descStart);
    if (mod === glueModule) {
      const next = short("", renamed.size);
      renamed.set(field, next);
      out.push(name("w"), name(next));
    } else {
      out.push(name(mod), name(field));
    }
    out.push(body.subarray(descStart, q));
  }
  return Buffer.concat(out);
}

function skipImportDesc(body, p) {
  const kind = body[p++];
  if (kind === 0) return uleb(body, p)[1]; // function: type index
  if (kind === 1) return skipLimits(body, p + 1); // table: reftype, limits
  if (kind === 2) return skipLimits(body, p); // memory: limits
  if (kind === 3) return p + 2; // global: valtype, mutability
  if (kind === 4) return uleb(body, p + 1)[1]; // tag: attribute, type index
  throw new Error(`short-names: import kind ${kind} is unknown`);
}

function skipLimits(body, p) {
  const flags = body[p++];
  p = uleb(body, p)[1];
  return flags & 1 ? uleb(body, p)[1] : p;
}

function exportSection(body, renameExport, renamed) {
  let [count, q] = uleb(body, 0);
  const out = [encodeUleb(count)];
  for (let i = 0; i < count; i++) {
    const [nl, q1] = uleb(body, q);
    const field = body.toString("utf8", q1, q1 + nl);
    const [, q2] = uleb(body, q1 + nl + 1);
    if (renameExport(field)) {
      const next = short("_", renamed.size);
      if (next === field || renamed.has(next)) throw new Error(`short-names: ${next} is taken`);
      renamed.set(field, next);
      out.push(name(next));
    } else {
      out.push(name(field));
    }
    out.push(body.subarray(q1 + nl, q2));
    q = q2;
  }
  return Buffer.concat(out);
}

const literal = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The glue with the same renames; throws when a name is not where wasm-bindgen puts it. */
export function renameGlue(glue, { module, imports, exports }) {
  const key = `        "${module[1]}": import0,`;
  if (!glue.includes(key)) throw new Error(`short-names: the glue has no imports entry for ${module[1]}`);
  let out = glue.replace(key, `        "${module[0]}": import0,`);
  for (const [old, next] of imports) {
    const re = new RegExp(`^(\\s+)${literal(old)}: function\\(`, "m");
    const found = out.match(new RegExp(re.source, "gm"))?.length ?? 0;
    if (found !== 1) throw new Error(`short-names: the import ${old} is defined ${found} times in the glue`);
    out = out.replace(re, `$1${next}: function(`);
  }
  for (const [old, next] of exports) {
    const re = new RegExp(`\\bwasm\\.${literal(old)}\\b`, "g");
    if (!re.test(out)) throw new Error(`short-names: the glue never calls the export ${old}`);
    out = out.replace(re, `wasm.${next}`);
  }
  return out;
}

/** The glue's declarations (`InitOutput` lists every export) with the same export renames. */
export function renameTypes(types, { exports }) {
  let out = types;
  for (const [old, next] of exports) out = out.replaceAll(`readonly ${old}:`, `readonly ${next}:`);
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [wasmPath, gluePath, typesPath] = process.argv.slice(2);
  if (!wasmPath || !gluePath || !typesPath) {
    console.error("usage: node scripts/short-names.mjs <module.wasm> <glue.js> <glue.d.ts>");
    process.exit(2);
  }
  const glueModule = `./${wasmPath
    .split("/")
    .at(-1)
    .replace(/\.opt\.wasm$|\.wasm$/, "")}.js`;
  const source = readFileSync(gluePath, "utf8");
  // Every export the glue calls, except the two a host may reach by name (`memory`, the start).
  const called = new Set([...source.matchAll(/\bwasm\.([A-Za-z_$][\w$]*)/g)].map((m) => m[1]));
  const renameExport = (name) => called.has(name) && name !== "memory" && name !== "__wbindgen_start";
  const result = shorten(readFileSync(wasmPath), glueModule, { renameExport });
  const glue = renameGlue(source, result);
  writeFileSync(wasmPath, result.wasm);
  writeFileSync(gluePath, glue);
  writeFileSync(typesPath, renameTypes(readFileSync(typesPath, "utf8"), result));
}
