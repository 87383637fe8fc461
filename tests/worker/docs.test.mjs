// worker/README.md held to the code, both ways: its routes table to the router in src/index.js
// (paths read from the router's source, each path's methods from its own 405 `Allow`), its
// bindings table to wrangler.toml and to what the Worker reads, its file list to src/.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { auth, rawRequest, startPair, WORKER_DIR } from "./support.mjs";

const read = (path) => readFileSync(join(WORKER_DIR, path), "utf8");
const README = read("README.md");

/** The rows (`| … |` lines) of the README table whose header row starts with `| header |`. */
function table(header) {
  const lines = README.split("\n");
  const start = lines.findIndex((line) => line.startsWith(`| ${header} |`));
  assert.ok(start >= 0, `worker/README.md has a table headed "${header}"`);
  const rows = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(line);
  }
  return rows;
}

/** `{a,b}` expanded: `/x/{a,b}/y` → `/x/a/y`, `/x/b/y`. */
const expand = (path) => {
  const m = /\{([^}]+)\}/.exec(path);
  return m ? m[1].split(",").flatMap((alt) => expand(path.replace(m[0], alt))) : [path];
};

/** The README's routes: path (parameters as `:`) → methods. */
function documentedRoutes() {
  const routes = new Map();
  for (const row of table("route")) {
    const m = /^\| `([A-Z]+(?:, [A-Z]+)*) (\/[^`\s?]*)(?:\?[^`\s]*)?` \|/.exec(row);
    assert.ok(m, `a routes row starts with \`METHOD[, METHOD] /path\`: ${row.slice(0, 80)}`);
    for (const path of expand(m[2].replace(/:\w+/g, ":"))) {
      const methods = routes.get(path) ?? new Set();
      for (const method of m[1].split(", ")) {
        assert.ok(!methods.has(method), `worker/README.md lists ${method} ${path} once`);
        methods.add(method);
      }
      routes.set(path, methods);
    }
  }
  return routes;
}

/** The paths src/index.js's router matches (parameters as `:`), read from its source. */
function routedPaths(families) {
  const src = read("src/index.js");
  let body = src.slice(src.indexOf("async function dispatch("), src.indexOf("\nfunction ", src.indexOf("async function dispatch(")));
  // Preflights answer every path: their block names no route of its own.
  const options = body.indexOf('if (method === "OPTIONS") {');
  assert.ok(options > 0, "dispatch answers preflights in one block");
  let depth = 0;
  let end = options;
  for (; end < body.length; end++) {
    if (body[end] === "{") depth++;
    if (body[end] === "}" && --depth === 0) break;
  }
  body = body.slice(0, options) + body.slice(end + 1);

  const paths = new Set();
  let matchers = 0;
  for (const [, path] of body.matchAll(/pathname === "([^"]+)"/g)) {
    paths.add(path);
    matchers++;
  }
  for (const m of body.matchAll(/\/\^(\S+?)\$\/\.(exec|test)\(pathname\)(\)\s*return methodNotAllowed)?/g)) {
    matchers++;
    if (m[3]) continue; // a path's other methods refused: the path is routed elsewhere
    let source = m[1].replace(/\(?\[\^\/\]\+\)?/g, ":");
    const optional = /\((\\\/\w+)\)\?/.exec(source);
    const variants = optional ? [source.replace(optional[0], ""), source.replace(optional[0], optional[1])] : [source];
    for (source of variants) {
      const path = source.replaceAll("\\/", "/");
      assert.match(path, /^(\/[\w:-]+)+$/, `the test reads index.js's route /^${m[1]}$/`);
      paths.add(path);
    }
  }
  // Every other use of `pathname` in dispatch is one of these two.
  const others = ["const { pathname } = url;", "isFacadePath(pathname)"].filter((s) => body.includes(s)).length;
  assert.equal(body.match(/\bpathname\b/g).length, matchers + others, "the test reads every path dispatch matches");
  // The facade: /kling/v1/videos/<family>[/:id], the families the package knows.
  assert.ok(
    read("src/facade.js").includes(String.raw`/^\/kling\/v1\/videos\/([a-z0-9-]+)(?:\/([^/]+))?$/`),
    "the facade's paths are as read here",
  );
  for (const family of families) for (const path of [`/kling/v1/videos/${family}`, `/kling/v1/videos/${family}/:`]) paths.add(path);
  return paths;
}

test("worker/README.md's routes table is the routes src/index.js serves, with their methods", async (t) => {
  const { FAMILIES } = await import(join(WORKER_DIR, "src/config.js"));
  const paths = routedPaths(FAMILIES);
  for (const path of [
    "/health",
    "/me",
    "/account",
    "/extensions",
    "/chains",
    "/chains/:",
    "/chains/:/resume",
    "/chains/:/video",
    "/media/:",
  ]) {
    assert.ok(paths.has(path), `the router's source yields ${path}`);
  }
  // Each path's methods, as the router answers a method it does not take (405, `Allow`); a path
  // that takes any method (/health) answers it.
  const { url } = await startPair(t, { extra: { SHOW_ACCOUNT_UNITS: "true" } });
  const headers = await auth();
  const served = new Map();
  for (const path of paths) {
    const r = await rawRequest(url, "PATCH", path.replaceAll(":", "1"), { headers });
    assert.notEqual(r.status, 404, `${path} is routed: ${r.text}`);
    served.set(path, r.status === 405 ? new Set(r.headers.allow.split(", ")) : "any");
  }
  const documented = documentedRoutes();
  for (const [path, methods] of served) {
    assert.ok(documented.has(path), `worker/README.md's routes table lists ${path}`);
    if (methods !== "any") assert.deepEqual(documented.get(path), methods, `worker/README.md gives ${path} the methods it takes`);
  }
  for (const path of documented.keys()) assert.ok(served.has(path), `worker/README.md's ${path} is a route of src/index.js`);
});

/** Every name wrangler.toml declares: bindings, vars (also those commented out), the secrets its header names. */
function declaredBindings() {
  const toml = read("wrangler.toml");
  const names = new Set();
  let section = "";
  for (const line of toml.split("\n")) {
    const header = /^\[\[?([\w.]+)\]\]?$/.exec(line);
    if (header) section = header[1];
    const binding = /^(name|binding) = "([A-Z][A-Z0-9_]*)"$/.exec(line);
    if (binding && section !== "workflows" && binding[1] === "name") names.add(binding[2]);
    if (binding && section === "workflows" && binding[1] === "binding") names.add(binding[2]);
    if (binding && section === "r2_buckets") names.add(binding[2]);
    const variable = /^(?:# )?([A-Z][A-Z0-9_]*) = /.exec(line);
    if (section === "vars" && variable) names.add(variable[1]);
  }
  const head = toml.slice(0, toml.indexOf("\nname = "));
  for (const [name] of head.matchAll(/\b[A-Z]+(?:_[A-Z0-9]+)+\b/g)) names.add(name);
  return names;
}

test("worker/README.md's bindings table is what wrangler.toml declares and the Worker reads, both ways", () => {
  const documented = new Set(table("binding").flatMap((row) => [...row.split("|")[1].matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1])));
  const declared = declaredBindings();
  for (const name of [
    "USERS",
    "ACCOUNT",
    "GATE",
    "CHAIN",
    "MEDIA",
    "USER_CREATES_PER_MINUTE",
    "PUBLIC_ORIGIN",
    "KLING_EDGE_SESSION_SECRET",
  ]) {
    assert.ok(declared.has(name), `the test reads ${name} from wrangler.toml`);
  }
  const readByWorker = new Set();
  for (const file of readdirSync(join(WORKER_DIR, "src"))) {
    // `env.NAME`, or a name the configuration reads as `env[name]` from a list of quoted names.
    for (const m of read(`src/${file}`).matchAll(/\benv\.([A-Z][A-Z0-9_]+)|"([A-Z][A-Z0-9_]+)"/g)) readByWorker.add(m[1] ?? m[2]);
  }
  for (const name of declared) assert.ok(documented.has(name), `worker/README.md's bindings table has wrangler.toml's ${name}`);
  for (const name of documented) {
    assert.ok(declared.has(name), `worker/README.md's ${name} is in wrangler.toml`);
    assert.ok(readByWorker.has(name), `worker/README.md's ${name} is read by the Worker`);
  }
});

test("worker/README.md's file list names every file of worker/src, and only those", () => {
  const block = README.slice(README.indexOf("```\nsrc/"), README.indexOf("```", README.indexOf("```\nsrc/") + 3));
  const listed = [...block.matchAll(/\bsrc\/([\w.-]+\.js)\b/g)].map((m) => m[1]).sort();
  assert.deepEqual(listed, readdirSync(join(WORKER_DIR, "src")).sort());
});
