// Who is calling, and what is theirs: every authenticated route refuses missing, expired, wrongly
// signed, `alg: none` and otherwise bad session tokens with 401; a valid token for another user
// sees none of the first user's tasks through any route (404 exactly like a missing one).

import assert from "node:assert/strict";
import { test } from "node:test";
import { mint, rawRequest, SESSION_SECRET, startPair, unsignedToken, until } from "./support.mjs";

const A = "user-a@example.test";
const B = "user-b@example.test";

async function call(url, method, path, token, body) {
  const headers = token === undefined ? {} : { authorization: token.startsWith("Basic") ? token : `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const r = await rawRequest(url, method, path, { headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { ...r, json: r.text ? JSON.parse(r.text) : null };
}

/** A's finished text2video task and finished extension of its video, made through the service. */
async function aliceWork(url, tokenA) {
  const gen = await call(url, "POST", "/kling/v1/videos/text2video", tokenA, {
    model_name: "kling-v1-6",
    prompt: "A lighthouse",
    external_task_id: "a-gen",
  });
  assert.equal(gen.status, 200, gen.text);
  const genId = gen.json.data.task_id;
  const done = await until(
    async () => {
      const r = await call(url, "GET", `/kling/v1/videos/text2video/${genId}`, tokenA);
      return r.json.data?.task_status === "succeed" ? r.json.data : null;
    },
    { what: "A's source video" },
  );
  const videoId = done.task_result.videos[0].id;
  const ext = await call(url, "POST", "/extensions", tokenA, { video_id: videoId, prompt: "on", external_task_id: "a-ext" });
  assert.equal(ext.status, 202, ext.text);
  const extDone = await until(
    async () => {
      const r = await call(url, "GET", `/kling/v1/videos/video-extend/${ext.json.task_id}`, tokenA);
      return r.json.data?.task_status === "succeed" ? r.json.data : null;
    },
    { what: "A's extension" },
  );
  return { genId, videoId, extId: ext.json.task_id, extVideoId: extDone.task_result.videos[0].id };
}

function routes(w) {
  return [
    ["GET", "/me"],
    ["GET", "/extensions"],
    ["POST", "/extensions", { video_id: w.videoId, prompt: "x" }],
    ["GET", `/extensions/${w.extId}`],
    ["GET", "/extensions/a-ext"],
    ["GET", "/kling/v1/videos/text2video"],
    ["POST", "/kling/v1/videos/text2video", { model_name: "kling-v1-6", prompt: "x" }],
    ["GET", `/kling/v1/videos/text2video/${w.genId}`],
    ["GET", "/kling/v1/videos/video-extend"],
    ["POST", "/kling/v1/videos/video-extend", { video_id: w.videoId }],
    ["GET", `/kling/v1/videos/video-extend/${w.extId}`],
    ["GET", "/kling/v1/videos/image2video"],
    ["POST", "/kling/v1/videos/image2video", { model_name: "kling-v1-6", image: "https://example.test/a.png" }],
    ["GET", "/kling/v1/videos/image2video/123"],
  ];
}

test("every authenticated route × {no token, expired, bad signature, alg none, bad claims} is 401 and sends nothing", async (t) => {
  const { url, sim } = await startPair(t);
  const tokenA = await mint(A);
  const work = await aliceWork(url, tokenA);
  const now = Math.floor(Date.now() / 1000);
  const bad = {
    "no token": undefined,
    "not a JWT": "not-a-jwt",
    "Basic scheme": "Basic dXNlcjpwYXNz",
    expired: await mint(A, { ttl: -120 }),
    "bad signature": await mint(A, { secret: "another-secret-of-enough-length-0123456789" }),
    "alg none": unsignedToken(A),
    "signature stripped": `${tokenA.split(".").slice(0, 2).join(".")}.`,
    "no sub": await mint(A, { claims: { exp: now + 600 } }),
    "no exp": await mint(A, { claims: { sub: A } }),
    "empty sub": await mint(A, { claims: { sub: "", exp: now + 600 } }),
    "sub of 129 characters": await mint(A, { claims: { sub: "x".repeat(129), exp: now + 600 } }),
    "sub not a string": await mint(A, { claims: { sub: 42, exp: now + 600 } }),
    "exp 25 h ahead": await mint(A, { ttl: 25 * 3600 }),
  };
  const before = sim.requests().length;
  let checked = 0;
  for (const [method, path, body] of routes(work)) {
    for (const [name, token] of Object.entries(bad)) {
      const r = await call(url, method, path, token, body);
      assert.equal(r.status, 401, `${name}: ${method} ${path} → ${r.status} ${r.text}`);
      assert.equal(r.json.error.code, "ERR_UNAUTHENTICATED", `${name}: ${method} ${path}`);
      assert.equal(typeof r.json.error.message, "string");
      assert.ok(!r.text.includes(SESSION_SECRET));
      checked++;
    }
  }
  assert.equal(checked, 14 * 13);
  assert.equal(sim.requests().length, before, "no bad token reached Kling");
  // Control: the same routes with A's own token are not 401 (so the refusals were the token's).
  for (const [method, path, body] of routes(work)) {
    const r = await call(url, method, path, tokenA, body);
    assert.notEqual(r.status, 401, `${method} ${path} with A's token: ${r.text}`);
  }
  // A 24 h token (the longest allowed) and a 128-character sub are accepted.
  assert.equal((await call(url, "GET", "/me", await mint(A, { ttl: 24 * 3600 }))).status, 200);
  const long = await call(url, "GET", "/me", await mint("y".repeat(128)));
  assert.equal(long.status, 200);
  assert.equal(long.json.user, "y".repeat(128));
});

test("user B cannot see, list, wait on or extend from A's tasks through any route", async (t) => {
  const { url, sim } = await startPair(t);
  const tokenA = await mint(A);
  const tokenB = await mint(B);
  const w = await aliceWork(url, tokenA);

  // Reading: A's tasks by task id and by A's external ids are 404 for B, as a missing id is.
  const reads = [
    `/extensions/${w.extId}`,
    "/extensions/a-ext",
    `/kling/v1/videos/video-extend/${w.extId}`,
    "/kling/v1/videos/video-extend/a-ext",
    `/kling/v1/videos/text2video/${w.genId}`,
    "/kling/v1/videos/text2video/a-gen",
    `/kling/v1/videos/image2video/${w.genId}`,
  ];
  for (const path of reads) {
    const r = await call(url, "GET", path, tokenB);
    assert.equal(r.status, 404, `${path} → ${r.status} ${r.text}`);
    assert.equal(r.json.error.code, "ERR_NOT_FOUND");
    const missing = await call(url, "GET", path.replace(/[^/]+$/, "999999"), tokenB);
    assert.equal(r.status, missing.status);
    assert.equal(r.json.error.code, missing.json.error.code);
    if (!path.includes("image2video")) assert.equal((await call(url, "GET", path, tokenA)).status, 200, `control: A reads ${path}`);
  }
  // Listing: B's lists are empty; A's hold A's.
  for (const path of [
    "/extensions",
    "/kling/v1/videos/video-extend",
    "/kling/v1/videos/text2video",
    "/kling/v1/videos/image2video",
    "/kling/v1/videos/text2video?pageNum=1&pageSize=500",
  ]) {
    const r = await call(url, "GET", path, tokenB);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.data, [], `${path} lists nothing of A's`);
  }
  assert.equal((await call(url, "GET", "/kling/v1/videos/text2video", tokenA)).json.data.length, 1);
  assert.equal((await call(url, "GET", "/extensions", tokenA)).json.data.length, 1);

  // Waiting: the package's wait polls GET by task id: B's wait ends at once with not-found.
  const { KlingClient } = await import("../../worker/node_modules/kling-edge/index.node.js");
  const clientB = new KlingClient({ baseUrl: `${url}/kling`, token: tokenB, maxRetries: 0 });
  t.after(() => clientB.free());
  await assert.rejects(clientB.extensions.wait(w.extId, { pollIntervalMs: 50, timeoutMs: 5000 }), (e) => e.code === "ERR_KLING_NOT_FOUND");

  // Extending: A's source video and A's extension result are not B's to extend (404, nothing sent).
  const creates = sim.requests().filter((r) => r.method === "POST").length;
  for (const videoId of [w.videoId, w.extVideoId]) {
    const viaService = await call(url, "POST", "/extensions", tokenB, { video_id: videoId });
    assert.equal(viaService.status, 404, viaService.text);
    assert.equal(viaService.json.error.code, "ERR_NOT_FOUND");
    const viaFacade = await call(url, "POST", "/kling/v1/videos/video-extend", tokenB, { video_id: videoId });
    assert.equal(viaFacade.status, 404, viaFacade.text);
    assert.equal(viaFacade.json.code, 1203);
  }
  assert.equal(sim.requests().filter((r) => r.method === "POST").length, creates, "B's extends were not sent");
  // B's budget is untouched; A may extend their own video (control).
  assert.equal((await call(url, "GET", "/me", tokenB)).json.reserved, 0);
  assert.equal((await call(url, "POST", "/extensions", tokenA, { video_id: w.extVideoId })).status, 202);
});

test("B reusing A's external_task_id gets a separate task; Kling never sees the same id twice", async (t) => {
  const { url, sim } = await startPair(t);
  const [tokenA, tokenB] = [await mint(A), await mint(B)];
  const body = { model_name: "kling-v1-6", prompt: "same id", external_task_id: "shared-1" };
  const a = await call(url, "POST", "/kling/v1/videos/text2video", tokenA, body);
  const b = await call(url, "POST", "/kling/v1/videos/text2video", tokenB, body);
  assert.equal(a.status, 200, a.text);
  assert.equal(b.status, 200, b.text);
  assert.notEqual(a.json.data.task_id, b.json.data.task_id);
  // Each answer carries the caller's own id; Kling got two different derived ids.
  assert.equal(a.json.data.task_info.external_task_id, "shared-1");
  assert.equal(b.json.data.task_info.external_task_id, "shared-1");
  const sent = sim
    .requests()
    .filter((r) => r.method === "POST")
    .map((r) => r.body.external_task_id);
  assert.equal(sent.length, 2);
  assert.notEqual(sent[0], sent[1]);
  for (const id of sent) assert.match(id, /^ke-[0-9a-f]{40}$/);
  // Nobody can address a task by the derived id through the facade.
  assert.equal((await call(url, "GET", `/kling/v1/videos/text2video/${sent[0]}`, tokenA)).status, 404);
  // Each user's id resolves to their own task.
  assert.equal((await call(url, "GET", "/kling/v1/videos/text2video/shared-1", tokenA)).json.data.task_id, a.json.data.task_id);
  assert.equal((await call(url, "GET", "/kling/v1/videos/text2video/shared-1", tokenB)).json.data.task_id, b.json.data.task_id);
});
