// /kling/* — the per-user Kling-compatible facade: the package in a page works unchanged with
// `baseUrl: "<worker>/kling"` and a session token, sees only its user's tasks, and keeps the
// package's idempotency rule per user. Nothing is forwarded blindly.

import assert from "node:assert/strict";
import { test } from "node:test";
import { KlingClient } from "../../worker/node_modules/kling-edge/index.node.js";
import { mint, rawRequest, SESSION_SECRET, SIM_DEFAULTS, SOURCE, startPair, until } from "./support.mjs";

async function call(url, method, path, sub, { body, headers = {} } = {}) {
  const h = { authorization: `Bearer ${await mint(sub)}`, ...headers };
  if (body !== undefined && !("content-type" in h)) h["content-type"] = "application/json";
  const r = await rawRequest(url, method, path, {
    headers: h,
    body: body === undefined || typeof body === "string" ? body : JSON.stringify(body),
  });
  let json = null;
  try {
    json = r.text ? JSON.parse(r.text) : null;
  } catch {}
  return { ...r, json };
}

test("a kling-edge client with a session token works through the facade and sees only its user's tasks", async (t) => {
  const { url, sim } = await startPair(t);
  // The source is extended below: only retired v1.x models make one (the service allows them).
  const mine = new KlingClient({ baseUrl: `${url}/kling`, token: await mint("page-user"), allowRetiredModels: true });
  const theirs = new KlingClient({ baseUrl: `${url}/kling`, token: await mint("someone-else") });
  t.after(() => {
    mine.free();
    theirs.free();
  });
  const wait = { pollIntervalMs: 50, timeoutMs: 15_000 };

  const source = await mine.textToVideo.createAndWait({ model_name: "kling-v1-6", prompt: "A harbour at dawn" }, wait);
  assert.equal(source.task_status, "succeed");
  const extended = await mine.extensions.createAndWait(
    { video_id: source.task_result.videos[0].id, prompt: "Boats leave", external_task_id: "my-ext-1" },
    wait,
  );
  assert.equal(extended.task_status, "succeed");
  assert.equal(extended.task_info.external_task_id, "my-ext-1", "the caller's own id, not the derived one");
  assert.equal((await theirs.extensions.create({ video_id: SOURCE })).task_status, "submitted");

  const list = await mine.extensions.list({ pageSize: 10 });
  assert.deepEqual(
    list.map((x) => x.task_id),
    [extended.task_id],
  );
  assert.equal((await theirs.extensions.list({ pageSize: 10 })).length, 1);
  assert.equal((await mine.textToVideo.list({ pageSize: 10 })).length, 1);
  assert.equal((await mine.extensions.get("my-ext-1")).task_id, extended.task_id);
  await assert.rejects(theirs.extensions.get(extended.task_id), (e) => e.code === "ERR_KLING_NOT_FOUND");
  // Kling's account-wide list was never asked for: every list came from the service's records.
  assert.ok(sim.requests().every((r) => !(r.method === "GET" && /^\/v1\/videos\/[a-z0-9-]+$/.test(r.path))));
  for (const r of sim.requests()) assert.equal(r.status, 200);
});

test("idempotency per user: same id and request returns the task; a different video is refused with taskId", async (t) => {
  const { url, sim } = await startPair(t);
  const body = { video_id: SOURCE, prompt: "once", external_task_id: "ext-once" };
  const first = await call(url, "POST", "/kling/v1/videos/video-extend", "idem", { body });
  assert.equal(first.status, 200, first.text);
  const again = await call(url, "POST", "/kling/v1/videos/video-extend", "idem", { body });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.data.task_id, first.json.data.task_id);
  const viaService = await call(url, "POST", "/extensions", "idem", { body });
  assert.equal(viaService.status, 200);
  assert.equal(viaService.json.task_id, first.json.data.task_id);
  assert.equal(sim.requests().filter((r) => r.method === "POST").length, 1, "one create reached Kling");

  const other = await call(url, "POST", "/kling/v1/videos/video-extend", "idem", { body: { ...body, video_id: "800000000000000002" } });
  assert.equal(other.status, 400, other.text);
  assert.equal(other.json.code, 1201);
  assert.equal(other.json.error.code, "ERR_KLING_BAD_REQUEST");
  assert.equal(other.json.error.field, "external_task_id");
  assert.equal(other.json.error.taskId, first.json.data.task_id);
  assert.equal(sim.requests().filter((r) => r.method === "POST").length, 1);
  // One reservation, at the dearest extension price: the sample source was not made here.
  assert.equal((await call(url, "GET", "/me", "idem")).json.reserved, 3.5);
});

test("an in-doubt create keeps a pending record (202, externalTaskId); reconciled by lookup; a retry creates nothing", async (t) => {
  const { url, sim } = await startPair(t);
  sim.injectFault([
    { method: "POST", path: "/v1/videos/video-extend", action: { type: "drop-after" } },
    { method: "GET", path: "/v1/videos/video-extend", times: 0, action: { type: "error", code: 5001 } },
  ]);
  const body = { video_id: SOURCE, prompt: "in doubt", external_task_id: "doubt-1" };
  const r = await call(url, "POST", "/extensions", "doubter", { body });
  assert.equal(r.status, 202, r.text);
  assert.equal(r.json.status, "pending");
  assert.equal(r.json.taskMayExist, true);
  assert.equal(r.json.external_task_id, "doubt-1");
  assert.equal(r.json.task_id, null);
  const pending = await call(url, "GET", "/extensions/doubt-1", "doubter");
  assert.equal(pending.json.status, "pending");
  assert.equal((await call(url, "GET", "/me", "doubter")).json.reserved, 3.5, "the reservation is kept");
  // The facade answers the same create as Kling's unsettled one would: retry with the same id.
  const facade = await call(url, "POST", "/kling/v1/videos/video-extend", "doubter", { body });
  assert.equal(facade.status, 504, facade.text);
  assert.equal(facade.json.error.taskMayExist, true);
  assert.equal(facade.json.error.externalTaskId, "doubt-1");

  sim.clearFaults();
  const retry = await call(url, "POST", "/extensions", "doubter", { body });
  assert.equal(retry.status, 200, retry.text);
  assert.match(retry.json.task_id, /^\d+$/);
  assert.equal(sim.requests().filter((x) => x.method === "POST").length, 1, "one create was ever sent");
  assert.equal(sim.tasks().length, 1);
  const record = await call(url, "GET", "/extensions/doubt-1", "doubter");
  assert.equal(record.json.task_id, retry.json.task_id);
  // Settled once the task ends: charged what Kling charged, nothing left reserved.
  await until(
    async () => {
      const me = (await call(url, "GET", "/me", "doubter")).json;
      return me.reserved === 0 && me.spent === Number(sim.tasks()[0].final_unit_deduction);
    },
    { what: "the in-doubt task to be settled" },
  );
  assert.doesNotMatch(JSON.stringify([r.json, facade.json]), /ke-[0-9a-f]{40}/, "the derived id is never shown");
});

test("facade paths, methods, queries and bodies outside Kling's shape are refused before Kling", async (t) => {
  const { url, sim } = await startPair(t);
  const notFound = [
    "/kling",
    "/kling/",
    "/kling/v1/account/costs",
    "/kling/v1/videos/lip-sync",
    "/kling/v1/videos",
    "/kling/v2/videos/text2video",
    "/kling/__sim/config",
    "/kling/v1/videos/text2video/../../../__sim/config",
    "/kling/v1/videos/%2e%2e/%2e%2e/__sim/config",
    "/kling/v1/videos/text2video%2f..%2f__sim",
    "/kling//v1/videos/text2video",
    "//kling/v1/videos/text2video",
    "/kling/v1/videos/text2video/1/2",
    "/kling/v1/videos/text2video/..",
    "/kling/https://evil.example/v1/videos/text2video",
    `/kling/v1/videos/text2video/${"1".repeat(129)}`,
  ];
  for (const path of notFound) {
    const r = await call(url, "GET", path, "p");
    assert.equal(r.status, 404, `GET ${path} → ${r.status} ${r.text}`);
    assert.equal(r.json.error.code, "ERR_NOT_FOUND");
  }
  const badQuery = ["?pageNum=0", "?pageSize=501", "?pageNum=1&evil=1", "?pageNum=1&pageNum=2", "?pageNum=-1", "?url=http://evil.example/"];
  for (const q of badQuery) {
    const r = await call(url, "GET", `/kling/v1/videos/text2video${q}`, "p");
    assert.equal(r.status, 400, `${q} → ${r.status}`);
    assert.equal(r.json.code, 1201);
  }
  assert.equal((await call(url, "GET", "/kling/v1/videos/text2video?pageNum=1000&pageSize=500", "p")).status, 200);
  for (const [method, path] of [
    ["DELETE", "/kling/v1/videos/text2video"],
    ["PUT", "/kling/v1/videos/video-extend"],
    ["POST", "/kling/v1/videos/text2video/123"],
  ]) {
    const r = await call(url, method, path, "p", { body: "{}" });
    assert.equal(r.status, 405, `${method} ${path}`);
    assert.match(r.headers.allow, /GET/);
  }
  const path = "/kling/v1/videos/text2video";
  assert.equal((await call(url, "POST", path, "p", { body: "{}", headers: { "content-type": "text/plain" } })).status, 415);
  assert.equal((await call(url, "POST", path, "p", { body: "{not json" })).status, 400);
  assert.equal((await call(url, "POST", path, "p", { body: JSON.stringify({ prompt: "x".repeat(70 * 1024) }) })).status, 413);
  // A frame sent inline (a last-frame chain in a page): up to 1.5 MB at image2video and omni-video.
  const frame = "A".repeat(600 * 1024);
  const i2v = "/kling/v1/videos/image2video";
  const big = await call(url, "POST", i2v, "p", { body: { model_name: "kling-v3", image: frame, external_task_id: "framed" } });
  assert.notEqual(big.status, 413, big.text.slice(0, 200));
  assert.equal((await call(url, "POST", i2v, "p", { body: { model_name: "kling-v3", image: "A".repeat(1600 * 1024) } })).status, 413);
  assert.equal(
    (await call(url, "POST", path, "p", { body: { model_name: "kling-v1-6", prompt: "x", callback_url: "https://evil.example/" } })).json
      .error.field,
    "callback_url",
  );
  assert.equal(sim.requests().filter((r) => !r.path.endsWith("/image2video")).length, 0);
  // No answer carries a secret.
  const r = await call(url, "GET", "/kling/v1/videos/text2video", "p");
  for (const s of [SESSION_SECRET, SIM_DEFAULTS.secretKey]) assert.ok(!r.text.includes(s));
});

test("omni-video goes through the facade: a multi-shot create is checked, priced, sent and waited for", async (t) => {
  const { url, sim } = await startPair(t, { extra: { ALLOWED_MODELS: "kling-v3-omni" } });
  const mine = new KlingClient({ baseUrl: `${url}/kling`, token: await mint("omni-user") });
  const theirs = new KlingClient({ baseUrl: `${url}/kling`, token: await mint("someone-else") });
  t.after(() => {
    mine.free();
    theirs.free();
  });
  const shots = [
    { index: 1, prompt: "A fox wakes", duration: "2" },
    { index: 2, prompt: "It runs", duration: "3" },
  ];
  const task = await mine.omniVideo.createAndWait(
    { model_name: "kling-v3-omni", multi_shot: true, shot_type: "customize", multi_prompt: shots, duration: "5", aspect_ratio: "1:1" },
    { pollIntervalMs: 50, timeoutMs: 15_000 },
  );
  assert.equal(task.task_status, "succeed");
  assert.equal(task.task_result.videos[0].duration, "5");
  const sent = sim.requests().filter((r) => r.method === "POST" && r.path === "/v1/videos/omni-video");
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0].body.multi_prompt, shots);
  assert.match(sent[0].body.external_task_id, /^ke-[0-9a-f]{40}$/);
  assert.deepEqual(
    (await mine.omniVideo.list({ pageSize: 10 })).map((x) => x.task_id),
    [task.task_id],
  );
  assert.equal((await theirs.omniVideo.list({ pageSize: 10 })).length, 0);
});
