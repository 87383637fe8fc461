// Serves a directory statically and opens one page of it in headless Chromium (playwright-core,
// Debian's /usr/bin/chromium); the page runs smoke.mjs and leaves its result in
// window.__klingSmoke. Writes the result record to $RESULT_FILE.
//
//   node tests/runtimes/shared/browser.mjs <dir to serve> [--import-map] [--note text] [--version-suffix text]
//
// --import-map fills <dir>/index.html's @IMPORT_MAP@ with the installed package's "browser" entry.

import { readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";
import { parseArgs } from "node:util";
import { launchChromium } from "../../chromium.mjs";

const PAGE_TIMEOUT_MS = 20000;
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".css": "text/css",
  ".svg": "image/svg+xml",
};

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    "import-map": { type: "boolean" },
    note: { type: "string", multiple: true },
    "version-suffix": { type: "string", default: "" },
  },
});
const root = resolve(positionals[0]);
const record = { version: "", notes: [...(values.note ?? [])] };

/** The installed package's browser entry, as the `exports` map says (no hard-coded file name). */
async function browserEntry() {
  const pkg = JSON.parse(await readFile(join(root, "node_modules/kling-edge/package.json"), "utf8"));
  const dot = pkg.exports?.["."];
  const target = typeof dot === "string" ? dot : (dot?.browser ?? dot?.import ?? dot?.default);
  if (typeof target !== "string") throw new Error(`no "browser" or "default" export in ${JSON.stringify(pkg.exports)}`);
  return `./node_modules/kling-edge/${target.replace(/^\.\//, "")}`;
}

function serve() {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (path === "/favicon.ico") return res.writeHead(204).end(); // keeps 404 notes meaningful
    const file = normalize(join(root, path.endsWith("/") ? `${path}index.html` : path));
    if (file !== root && !file.startsWith(root + sep)) return res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

async function run() {
  if (values["import-map"]) {
    const entry = await browserEntry();
    const html = await readFile(join(root, "index.html"), "utf8");
    await writeFile(join(root, "index.html"), html.replace("@IMPORT_MAP@", JSON.stringify({ imports: { "kling-edge": entry } })));
    record.notes.push(`import map: kling-edge → ${entry.replace("./node_modules/kling-edge/", "")}`);
  }
  const server = await serve();
  const browser = await launchChromium();
  const problems = [];
  try {
    record.version = `Chromium ${browser.version()}${values["version-suffix"]}`;
    const page = await browser.newPage();
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    // Fails fast on an uncaught page error (e.g. a module that does not load), else waits.
    const crashed = new Promise((_, reject) => page.on("pageerror", (e) => reject(new Error(`page error: ${e.message}`))));
    crashed.catch(() => {});
    page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
    page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    page.on("response", (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
    const url = `http://127.0.0.1:${server.address().port}/?sim=${encodeURIComponent(process.env.SIM_URL)}`;
    await page.goto(url);
    const result = await Promise.race([
      page.waitForFunction(() => window.__klingSmoke, null, { timeout: PAGE_TIMEOUT_MS }).then((h) => h.jsonValue()),
      crashed,
    ]);
    Object.assign(record, result);
  } catch (e) {
    const why = e.message.split("\n")[0];
    record.checks = { init: { ok: false, error: [why, ...problems.filter((p) => p !== why)].join("; ") } };
    record.ok = false;
  } finally {
    if (problems.length) record.notes.push(...problems);
    await browser.close();
    server.close();
  }
}

await run();
await writeFile(process.env.RESULT_FILE, JSON.stringify(record, null, 2));
process.exitCode = record.ok ? 0 : 1;
