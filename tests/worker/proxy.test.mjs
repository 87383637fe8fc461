// /kling/* — the narrow proxy: allowed endpoints reach Kling with server-side credentials; anything
// else is refused before it leaves the Worker; answers carry only safe headers and no secret.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rawRequest, SIM_DEFAULTS, SOURCE, startPair } from "./support.mjs";
import { KlingClient } from "../../examples/worker/node_modules/kling-edge/index.node.js";

const ALLOWED_HEADERS = new Set([
  "content-type", "x-request-id", "date", "retry-after", "cache-control", "content-length",
  "access-control-allow-origin", "access-control-expose-headers", "vary", "connection", "keep-alive",
  "transfer-encoding",
]);

/** Every answer of the test, to scan for secrets at the end. */
function recorder(t, url, secrets) {
  const seen = [];
  t.after(() => {
    for (const { where, text } of seen) {
      for (const s of secrets) assert.ok(!text.includes(s), `${where} leaks ${s.slice(0, 4)}…`);
      assert.doesNotMatch(text, /eyJ[A-Za-z0-9_-]{10,}\.eyJ/, `${where} holds a JWT`);
    }
  });
  return async (method, path, options = {}) => {
    const r = await rawRequest(url, method, path, options);
    seen.push({ where: `${method} ${path}`, text: JSON.stringify(r.headers) + "\n" + r.text });
    return r;
  };
}

test("allowed endpoints are forwarded with the Worker's credentials, never the browser's", async (t) => {
  const { url, sim } = await startPair(t);
  const call = recorder(t, url, [SIM_DEFAULTS.secretKey, SIM_DEFAULTS.apiKey]);
  const browser = { origin: "https://app.example", cookie: "session=abc", authorization: "Bearer from-the-page" };

  const created = await call("POST", "/kling/v1/videos/text2video", {
    headers: { ...browser, "content-type": "application/json; charset=utf-8" },
    body: JSON.stringify({ model_name: "kling-v1-6", prompt: "A lighthouse at dusk" }),
  });
  assert.equal(created.status, 200, created.text);
  const taskId = JSON.parse(created.text).data.task_id;
  assert.equal(created.headers["access-control-allow-origin"], "*");
  assert.ok(created.headers["x-request-id"]);
  assert.match(created.headers["content-type"], /^application\/json/);

  const one = await call("GET", `/kling/v1/videos/text2video/${taskId}`, { headers: browser });
  assert.equal(one.status, 200, one.text);
  assert.equal(JSON.parse(one.text).data.task_id, taskId);
  const list = await call("GET", "/kling/v1/videos/text2video?pageNum=1&pageSize=5", { headers: browser });
  assert.equal(list.status, 200, list.text);
  assert.equal(JSON.parse(list.text).data[0].task_id, taskId);
  assert.equal((await call("GET", "/kling/v1/videos/video-extend", { headers: browser })).status, 200);
  assert.equal((await call("GET", "/kling/v1/videos/image2video?pageSize=2", { headers: browser })).status, 200);

  const seen = sim.requests();
  assert.deepEqual(
    seen.map((r) => `${r.method} ${r.path}${r.query && Object.keys(r.query).length ? "?" + new URLSearchParams(r.query) : ""}`),
    [
      "POST /v1/videos/text2video",
      `GET /v1/videos/text2video/${taskId}`,
      "GET /v1/videos/text2video?pageNum=1&pageSize=5",
      "GET /v1/videos/video-extend",
      "GET /v1/videos/image2video?pageSize=2",
    ],
  );
  for (const r of seen) {
    // The simulator accepted the Worker's JWT (the page's "Bearer from-the-page" would be 401).
    assert.equal(r.status, 200);
    assert.match(r.headers.authorization ?? "", /^Bearer\b/, "an Authorization reached Kling");
    assert.equal(r.headers.cookie, undefined, "no cookie reached Kling");
    assert.equal(r.headers.origin, undefined, "no browser header reached Kling");
  }
  for (const r of [created, one, list]) {
    for (const name of Object.keys(r.headers)) assert.ok(ALLOWED_HEADERS.has(name), `header ${name} passed through`);
  }
});

test("Kling's errors pass through with status and safe headers only", async (t) => {
  const { url, sim } = await startPair(t);
  const call = recorder(t, url, [SIM_DEFAULTS.secretKey]);
  sim.injectFault({
    path: "/v1/videos/text2video",
    action: { type: "error", code: 1302, headers: { "retry-after": "3", "set-cookie": "kling=1", "x-internal": "secret-ish" } },
  });
  const r = await call("GET", "/kling/v1/videos/text2video");
  assert.equal(r.status, 429);
  assert.equal(JSON.parse(r.text).code, 1302);
  assert.equal(r.headers["retry-after"], "3");
  assert.equal(r.headers["set-cookie"], undefined);
  assert.equal(r.headers["x-internal"], undefined);
  const missing = await call("GET", "/kling/v1/videos/text2video/999");
  assert.equal(missing.status, 404);
  assert.equal(JSON.parse(missing.text).code, 1203);
});

test("CORS preflights are answered for allowed endpoints", async (t) => {
  const { url, sim } = await startPair(t);
  const preflight = (path, method) =>
    rawRequest(url, "OPTIONS", path, {
      headers: { origin: "https://app.example", "access-control-request-method": method, "access-control-request-headers": "content-type" },
    });
  const post = await preflight("/kling/v1/videos/video-extend", "POST");
  assert.equal(post.status, 204);
  assert.equal(post.headers["access-control-allow-origin"], "*");
  assert.match(post.headers["access-control-allow-methods"], /\bPOST\b/);
  assert.match(post.headers["access-control-allow-methods"], /\bGET\b/);
  assert.match(post.headers["access-control-allow-headers"], /content-type/i);
  assert.doesNotMatch(post.headers["access-control-allow-headers"], /authorization/i);
  const get = await preflight("/kling/v1/videos/video-extend/123", "GET");
  assert.equal(get.status, 204);
  assert.equal((await preflight("/kling/v1/videos/video-extend/123", "POST")).status, 405);
  assert.equal((await preflight("/kling/v1/videos/video-extend", "DELETE")).status, 405);
  assert.equal((await preflight("/kling/v1/account", "GET")).status, 403);
  assert.equal(sim.requests().length, 0, "preflights are answered by the Worker");
});

test("a restricted origin list is honoured", async (t) => {
  const { url } = await startPair(t, { extra: { PROXY_ALLOWED_ORIGINS: "https://app.example, https://b.example" } });
  const pre = (origin) =>
    rawRequest(url, "OPTIONS", "/kling/v1/videos/text2video", { headers: { origin, "access-control-request-method": "GET" } });
  const ok = await pre("https://b.example");
  assert.equal(ok.status, 204);
  assert.equal(ok.headers["access-control-allow-origin"], "https://b.example");
  const no = await pre("https://evil.example");
  assert.equal(no.status, 403);
  assert.equal(no.headers["access-control-allow-origin"], undefined);
});

test("other paths, traversal, other hosts, bad queries and wrong methods are refused before Kling", async (t) => {
  const { url, sim } = await startPair(t);
  const call = recorder(t, url, [SIM_DEFAULTS.secretKey]);
  const forbidden = [
    "/kling",
    "/kling/",
    "/kling/v1/account/costs",
    "/kling/v1/images/generations",
    "/kling/v1/videos/lip-sync",
    "/kling/v1/videos",
    "/kling/v2/videos/text2video",
    "/kling/__sim/config",
    "/kling/v1/videos/text2video/../../../__sim/config",
    "/kling/v1/videos/text2video/..",
    "/kling/v1/videos/text2video/.",
    "/kling/v1/videos/text2video/...",
    "/kling/v1/videos/%2e%2e/%2e%2e/__sim/config",
    "/kling/v1/videos/text2video/%2E%2E",
    "/kling/v1/videos/text2video%2f..%2f..%2f__sim%2fconfig",
    "/kling/v1/videos/text2video/123%2F456",
    "/kling/v1/videos/text2video/%252e%252e",
    "/kling/v1/videos/text2video/a%00b",
    "/kling//v1/videos/text2video",
    "/kling/v1/videos//text2video",
    "//kling/v1/videos/text2video",
    "/kling/v1/videos/text2video/",
    "/kling/v1/videos/text2video/1/2",
    "/kling/v1/videos/text2video\\..\\..\\__sim",
    "/kling/https://evil.example/v1/videos/text2video",
    "/kling/v1/videos/text2video/@evil.example",
    `/kling/v1/videos/text2video/${"1".repeat(129)}`,
    "/kling/v1/videos/text2video?pageNum=1&evil=1",
    "/kling/v1/videos/text2video?pageNum=1&pageNum=2",
    "/kling/v1/videos/text2video?pageNum=-1",
    "/kling/v1/videos/text2video?pageNum=1%26x%3D1",
    "/kling/v1/videos/text2video/123?pageNum=1",
    "/kling/v1/videos/text2video?url=http://evil.example/",
  ];
  for (const path of forbidden) {
    const r = await call("GET", path);
    assert.equal(r.status, 403, `GET ${path} → ${r.status} ${r.text}`);
    assert.equal(JSON.parse(r.text).error.code, "ERR_PROXY_FORBIDDEN");
  }
  const wrongMethod = [
    ["DELETE", "/kling/v1/videos/text2video"],
    ["PUT", "/kling/v1/videos/video-extend"],
    ["PATCH", "/kling/v1/videos/image2video/123"],
    ["POST", "/kling/v1/videos/text2video/123"],
    ["DELETE", "/kling/v1/videos/video-extend/123"],
  ];
  for (const [method, path] of wrongMethod) {
    const r = await call(method, path, { headers: { "content-type": "application/json" }, body: "{}" });
    assert.equal(r.status, 405, `${method} ${path} → ${r.status}`);
    assert.match(r.headers.allow, /GET/);
  }
  assert.equal(sim.requests().length, 0, `nothing reached Kling: ${JSON.stringify(sim.requests().map((r) => r.path))}`);
});

test("oversized and non-JSON bodies are refused (413, 415, 400)", async (t) => {
  const { url, sim } = await startPair(t);
  const call = recorder(t, url, [SIM_DEFAULTS.secretKey]);
  const path = "/kling/v1/videos/text2video";
  const big = JSON.stringify({ prompt: "x".repeat(70 * 1024) });
  const json = { "content-type": "application/json" };

  assert.equal((await call("POST", path, { headers: json, body: big })).status, 413, "chunked, no length");
  assert.equal((await call("POST", path, { headers: { ...json, "content-length": String(Buffer.byteLength(big)) }, body: big })).status, 413);
  const justOver = JSON.stringify({ prompt: "y".repeat(64 * 1024 - 12) }); // 65 537 bytes
  assert.equal(Buffer.byteLength(justOver), 64 * 1024 + 1);
  assert.equal((await call("POST", path, { headers: json, body: justOver })).status, 413);
  assert.equal((await call("POST", path, { headers: { "content-type": "text/plain" }, body: "{}" })).status, 415);
  assert.equal((await call("POST", path, { headers: { "content-type": "application/x-www-form-urlencoded" }, body: "a=1" })).status, 415);
  assert.equal((await call("POST", path, { body: "{}" })).status, 415, "no content type");
  assert.equal((await call("POST", path, { headers: json, body: "{not json" })).status, 400);
  assert.equal(sim.requests().length, 0);

  // Control: 64 KiB exactly is accepted and forwarded (Kling itself then refuses the long prompt).
  const atLimit = JSON.stringify({ prompt: "z".repeat(64 * 1024 - 13) });
  assert.equal(Buffer.byteLength(atLimit), 64 * 1024);
  const r = await call("POST", path, { headers: json, body: atLimit });
  assert.equal(r.status, 400);
  assert.equal(JSON.parse(r.text).code, 1201);
  assert.equal(sim.requests().length, 1);
});

test("a kling-edge client without credentials works through the proxy (what a page would do)", async (t) => {
  const { url, sim } = await startPair(t);
  const kling = new KlingClient({ baseUrl: `${url}/kling` });
  t.after(() => kling.free());
  const task = await kling.extendVideoAndWait({ video_id: SOURCE, prompt: "Through the proxy" }, { pollIntervalMs: 50, timeoutMs: 10_000 });
  assert.equal(task.task_status, "succeed");
  assert.equal(task.task_result.videos[0].duration, "10");
  assert.equal((await kling.listExtensions({ pageSize: 5 })).length, 1);
  assert.ok(sim.requests().length >= 3);
  assert.ok(sim.requests().every((r) => r.status === 200 && /^Bearer\b/.test(r.headers.authorization)));
});
