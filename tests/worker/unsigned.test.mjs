// No KLING_WEBHOOK_SECRET: the unguessable token in the callback URL says which task, and a GET of
// that task (not the callback body) is what gets recorded.

import assert from "node:assert/strict";
import { test } from "node:test";
import { callbacksSettled, getRecord, postJson, rawRequest, SOURCE, startPair, untilStatus } from "./support.mjs";

const taskGets = (sim, taskId) => sim.requests().filter((r) => r.method === "GET" && r.path === `/v1/videos/video-extend/${taskId}`);

test("token + confirm-by-GET: the record reaches succeed with the result video", async (t) => {
  const { url, sim } = await startPair(t);
  const created = await postJson(`${url}/extensions`, { video_id: SOURCE, prompt: "Rain starts", cfg_scale: 0.4 });
  assert.equal(created.status, 202, created.text);
  const record = JSON.parse(created.text);
  const done = await untilStatus(url, record.task_id, "succeed");
  const simTask = sim.tasks().find((x) => x.task_id === record.task_id);
  assert.deepEqual(done.video, { id: simTask.task_result.videos[0].id, url: simTask.task_result.videos[0].url, duration: "10" });
  assert.equal(done.external_task_id, record.external_task_id);

  const deliveries = await callbacksSettled(sim, 3);
  assert.ok(
    deliveries.every((d) => d.status === 204),
    JSON.stringify(deliveries.map((d) => d.status)),
  );
  assert.ok(
    deliveries.every((d) => !("webhook-signature" in d.headers)),
    "unsigned callbacks",
  );
  // The create carried the callback URL and the external task id the record shows.
  const create = sim.requests().find((r) => r.method === "POST" && r.path === "/v1/videos/video-extend");
  // Every callback was confirmed by a GET of its task (by its external id when the callback beat
  // the create's answer).
  const gets = taskGets(sim, record.task_id).length + taskGets(sim, create.body.external_task_id).length;
  assert.ok(gets >= 3, `GETs: ${gets}`);
  // Kling receives an id derived from the user and theirs, never the caller's own.
  assert.match(create.body.external_task_id, /^ke-[0-9a-f]{40}$/);
  assert.match(record.external_task_id, /^kew-[0-9a-f]{24}$/);
  assert.equal(simTask.task_info.external_task_id, create.body.external_task_id);
  assert.equal(create.body.callback_url, deliveries[0].url);
  assert.equal(create.body.cfg_scale, 0.4);
});

test("a callback claiming succeed for a task still processing does not make it succeed", async (t) => {
  const { url, sim } = await startPair(t, { simOptions: { timing: { submittedMs: 50, processingMs: 60_000 } } });
  const record = JSON.parse((await postJson(`${url}/extensions`, { video_id: SOURCE })).text);
  const before = await untilStatus(url, record.task_id, "processing");
  const [first] = await callbacksSettled(sim, 2);
  const path = new URL(first.url).pathname;
  const getsBefore = taskGets(sim, record.task_id).length;

  const lie = JSON.stringify({
    task_id: record.task_id,
    task_status: "succeed",
    task_info: { external_task_id: sim.tasks()[0].task_info.external_task_id },
    task_result: { videos: [{ id: "666", url: "https://evil.example/x.mp4", duration: "10" }] },
    created_at: before.created_at,
    updated_at: Date.now() + 60_000,
  });
  const r = await rawRequest(url, "POST", path, { headers: { "content-type": "application/json" }, body: lie });
  assert.equal(r.status, 204, r.text);
  assert.equal(taskGets(sim, record.task_id).length, getsBefore + 1, "the claim was checked with a GET");
  const after = (await getRecord(url, record.task_id)).body;
  assert.equal(after.status, "processing");
  assert.equal(after.video, undefined);
  assert.deepEqual(after, before);
});

test("unknown tokens, bodies that are not tasks and bodies about another task change nothing and cost no GET", async (t) => {
  const { url, sim } = await startPair(t, { simOptions: { timing: { submittedMs: 50, processingMs: 60_000 } } });
  const a = JSON.parse((await postJson(`${url}/extensions`, { video_id: SOURCE, prompt: "a" })).text);
  const b = JSON.parse((await postJson(`${url}/extensions`, { video_id: SOURCE, prompt: "b" })).text);
  await untilStatus(url, a.task_id, "processing");
  await untilStatus(url, b.task_id, "processing");
  await callbacksSettled(sim, 4);
  const pathOfA = new URL(sim.callbacks().find((d) => d.task_id === a.task_id).url).pathname;
  const requestsBefore = sim.requests().length;
  const json = { "content-type": "application/json" };
  const aboutB = JSON.stringify({ task_id: b.task_id, task_status: "succeed", task_info: { external_task_id: b.external_task_id } });

  assert.equal(
    (await rawRequest(url, "POST", `/callbacks/${pathOfA.slice(11, 75)}${"cd".repeat(32)}`, { headers: json, body: aboutB })).status,
    404,
  );
  assert.equal((await rawRequest(url, "POST", pathOfA, { headers: json, body: "not json" })).status, 400);
  assert.equal((await rawRequest(url, "POST", pathOfA, { headers: json, body: '{"hello":1}' })).status, 400);
  assert.equal((await rawRequest(url, "POST", pathOfA, { headers: json, body: aboutB })).status, 400);
  assert.equal((await rawRequest(url, "GET", pathOfA)).status, 405);
  assert.equal(sim.requests().length, requestsBefore, "no request reached Kling");
  for (const id of [a.task_id, b.task_id]) assert.equal((await getRecord(url, id)).body.status, "processing");
});
