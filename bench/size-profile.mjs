// Where the .wasm's bytes go: the largest functions and the total per crate, measured on the module
// as scripts/build-pkg ships it (same toolchain, flags and wasm-opt passes) but with its function
// names kept. twiggy reads rustc's output but not this one (wasm-bindgen's shims repeat names), so
// the name and code sections are read here directly.
//   node bench/size-profile.mjs [top=40]      (after `make build`)
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { WASM_OPT_FEATURES as FEATURES, gzipLen } from "./lib.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const top = Number(process.argv[2] ?? 40);
const input = `${root}target/release-nightly/wasm32-unknown-unknown/release/kling_edge.wasm`;
const dir = `${root}.tmp/size-profile`;

if (!existsSync(input)) {
  console.error(`size-profile: ${input} is missing: run \`make build\` first`);
  process.exit(2);
}
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const run = (cmd, args) => execFileSync(cmd, args, { stdio: ["ignore", "ignore", "inherit"] });
run("wasm-bindgen", ["--keep-debug", "--target", "web", "--out-dir", dir, input]);
run("wasm-opt", [`${dir}/kling_edge_bg.wasm`, "-Oz", "-Oz", "--debuginfo", ...FEATURES, "-o", `${dir}/named.wasm`]);

/** A cursor over the module's bytes. */
class Reader {
  constructor(buf) {
    this.buf = buf;
    this.p = 8;
  } // after the magic number and version
  byte() {
    return this.buf[this.p++];
  }
  uleb() {
    let r = 0,
      s = 0,
      b;
    do {
      b = this.byte();
      r |= (b & 0x7f) << s;
      s += 7;
    } while (b & 0x80);
    return r >>> 0;
  }
  skip(n) {
    this.p += n;
  }
  str() {
    const l = this.uleb();
    const s = this.buf.toString("utf8", this.p, this.p + l);
    this.p += l;
    return s;
  }
  limits() {
    const flags = this.byte();
    this.uleb();
    if (flags & 1) this.uleb();
  }
}

/** Code body sizes, function names (by index) and section sizes of a module. */
function read(buf) {
  const r = new Reader(buf);
  const out = { bodies: [], names: new Map(), imported: 0, sections: {} };
  while (r.p < buf.length) {
    const id = r.byte(),
      len = r.uleb(),
      end = r.p + len;
    if (id === 2) out.imported = importedFunctions(r);
    if (id === 10)
      for (let i = 0, n = r.uleb(); i < n; i++) {
        const l = r.uleb();
        out.bodies.push(l);
        r.skip(l);
      }
    if (id === 0) {
      const name = r.str();
      if (name === "name") readNames(r, end, out.names);
      out.sections[name] = len;
    } else out.sections[id] = len;
    r.p = end;
  }
  return out;
}

/** Imported functions come first in the function index space. */
function importedFunctions(r) {
  let funcs = 0;
  for (let i = 0, n = r.uleb(); i < n; i++) {
    r.str();
    r.str();
    const kind = r.byte();
    if (kind === 0) {
      r.uleb();
      funcs++;
    } else if (kind === 1) {
      r.byte();
      r.limits();
    } // table: reftype, limits
    else if (kind === 2)
      r.limits(); // memory
    else if (kind === 3)
      r.skip(2); // global: valtype, mutability
    else if (kind === 4) {
      r.byte();
      r.uleb();
    } // tag
  }
  return funcs;
}

/** The function-names subsection of the "name" custom section. */
function readNames(r, end, names) {
  while (r.p < end) {
    const sub = r.byte(),
      len = r.uleb(),
      next = r.p + len;
    if (sub === 1)
      for (let i = 0, n = r.uleb(); i < n; i++) {
        const idx = r.uleb();
        names.set(idx, r.str());
      }
    r.p = next;
  }
}

const clean = (name) => name.replace(/\[[0-9a-f]{8,}\]/g, "");
const crateOf = (name) => {
  const m = clean(name).match(/^[<&*\s(]*(?:mut |const |dyn )?([a-z_][a-z0-9_]*)::/);
  return m ? m[1] : name.includes(" shim") ? "(wasm-bindgen shims)" : "(other)";
};

const module = read(readFileSync(`${dir}/named.wasm`));
const shipped = readFileSync(`${root}pkg/kling_edge_bg.wasm`).length;
const fns = module.bodies.map((size, i) => ({ size, name: clean(module.names.get(i + module.imported) ?? `f${i}`) }));
const code = fns.reduce((a, f) => a + f.size, 0);
console.log(
  `pkg/kling_edge_bg.wasm ${shipped} bytes; profiled copy: code ${code} bytes in ${fns.length} functions, data ${module.sections[11] ?? 0} bytes`,
);
console.log(`\nlargest ${top} functions (bytes):`);
for (const f of [...fns].sort((a, b) => b.size - a.size).slice(0, top)) console.log(String(f.size).padStart(7), f.name.slice(0, 150));
const crates = new Map();
for (const f of fns) crates.set(crateOf(f.name), (crates.get(crateOf(f.name)) ?? 0) + f.size);
console.log("\nper crate (bytes of code):");
for (const [k, v] of [...crates].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(String(v).padStart(7), k);

// The design card's packages: what each costs in the shipped module, by the functions attributed
// to it (a monomorphised copy of a generic counts where its code comes from: the reads serde's
// derive generates count for serde, not for the type they read).
const PACKAGES = [
  ["serde-wasm-bindgen", (n, c) => c === "serde_wasm_bindgen" || n.includes("serde_wasm_bindgen::")],
  [
    "serde (derived readers and writers)",
    (n, c) =>
      c === "serde_core" ||
      c === "serde" ||
      /Deserialize|Serialize|Visitor|MapAccess|as kling_edge::api::json::Json>::(parse|read|make)/.test(n),
  ],
  ["wasm-bindgen-futures", (n, c) => c === "wasm_bindgen_futures" || n.includes("futures::future_to_promise") || n.includes("JsFuture")],
  ["web-sys", (_n, c) => c === "web_sys"],
  ["js-sys", (_n, c) => c === "js_sys"],
  ["wasm-bindgen", (_n, c) => c === "wasm_bindgen" || c === "(wasm-bindgen shims)"],
  ["sha2 (+ digest)", (_n, c) => c === "sha2" || c === "digest" || c === "block_buffer"],
  ["hmac", (_n, c) => c === "hmac"],
  ["base64", (_n, c) => c === "base64"],
];
const owner = new Map(PACKAGES.map(([p]) => [p, 0]));
let rest = 0;
for (const f of fns) {
  const c = crateOf(f.name);
  const hit = PACKAGES.find(([, test]) => test(f.name, c));
  if (hit) owner.set(hit[0], owner.get(hit[0]) + f.size);
  else rest += f.size;
}
const gz = (path) => gzipLen(readFileSync(path));
console.log("\nper design-card package (bytes of code in the module; the rest is this crate, core and alloc):");
for (const [p, bytes] of owner) console.log(String(bytes).padStart(7), p);
console.log(String(rest).padStart(7), "everything else");
console.log(
  `      0 tsify (TypeScript declarations only: ${tsDecls()} interfaces in kling_edge.d.ts come from Rust types)\n` +
    "      0 wasm-bindgen-test (tests only)",
);
const glue = `${root}pkg/kling_edge.js`;
console.log(
  `\nJS beside the module: wasm-bindgen's glue ${readFileSync(glue).length} bytes (${gz(glue)} gzip); ` +
    `the host snippet ${hostSnippet()}.`,
);

/** Interfaces in the package's .d.ts that tsify generated: all but those typed by hand in
 * types.rs and wasm-bindgen's own `InitOutput`. */
function tsDecls() {
  const names = (text) => new Set([...text.matchAll(/^export (?:declare )?interface (\w+)/gm)].map((m) => m[1]));
  const byHand = names(readFileSync(`${root}src/wasm/types.rs`, "utf8"));
  const all = names(readFileSync(`${root}pkg/kling_edge.d.ts`, "utf8"));
  return [...all].filter((n) => !byHand.has(n) && n !== "InitOutput").length;
}

function hostSnippet() {
  const snippets = `${root}pkg/snippets`;
  const dirs = existsSync(snippets) ? readdirSync(snippets) : [];
  const file = dirs.map((d) => `${snippets}/${d}/src/wasm/host.js`).find(existsSync);
  return file ? `${readFileSync(file).length} bytes (${gz(file)} gzip)` : "missing";
}
