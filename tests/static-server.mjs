// A loopback server of the tree's own files for Chromium tests: an empty page at `/` and the files
// under the allowed folders (the built package, committed clips), nothing else.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";

const ROOT = new URL("../", import.meta.url).pathname;
const TYPES = { js: "text/javascript", wasm: "application/wasm", mp4: "video/mp4" };

/** Serves `folders` (e.g. `["pkg", "sim/media/clips"]`) of the tree; resolves `{url, close()}`. */
export async function serveTree(folders, title = "kling-edge") {
  const allowed = new RegExp(`^/(${folders.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})/[\\w./-]+$`);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (path === "/") {
      res.setHeader("content-type", "text/html");
      return res.end(`<!doctype html><title>${title}</title>`);
    }
    if (!allowed.test(path) || path.includes("..")) {
      res.statusCode = 404;
      return res.end();
    }
    try {
      const body = readFileSync(ROOT + path.slice(1));
      res.setHeader("content-type", TYPES[path.split(".").pop()] ?? "application/octet-stream");
      res.end(body);
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  server.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}
