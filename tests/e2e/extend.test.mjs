import assert from "node:assert/strict";
import { test } from "node:test";
import {
  apiRequests,
  clientFor,
  FAST,
  KlingClient,
  LONG_SOURCE,
  rejectionOf,
  SIM_DEFAULTS,
  SOURCE,
  startSim,
  V2_SOURCE,
} from "./support.mjs";

test("extend → wait → succeed, with a playable result", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const kling = clientFor(sim);
  const created = await kling.extensions.create({ video_id: SOURCE, prompt: "A puppy appears", cfg_scale: 0.5 });
  assert.equal(created.task_status, "submitted");
  const createRequest = sim.requests().find((r) => r.method === "POST");
  assert.match(created._request_id, /.+/, "the create's request id rides along");
  assert.ok(!Object.keys(created).includes("_request_id"), "…without changing what JSON.stringify shows");
  assert.equal(createRequest.status, 200);
  assert.match(created.task_info.external_task_id, /^ke-[0-9a-f]{24}$/);
  const seen = [];
  const done = await kling.extensions.wait(created.task_id, { ...FAST, onProgress: (task) => seen.push(task.task_status) });
  assert.equal(done.task_status, "succeed");
  assert.deepEqual([...new Set(seen)].at(-1), "succeed");
  const video = done.task_result.videos[0];
  assert.equal(video.duration, "10");
  assert.equal(done.task_info.parent_video.id, SOURCE);
  const media = await fetch(video.url);
  assert.equal(media.headers.get("content-type"), "video/mp4");
  assert.ok((await media.arrayBuffer()).byteLength > 1000);
  assert.equal((await kling.extensions.get(created.task_info.external_task_id)).task_id, created.task_id);
});

test("extensions.createAndWait with an API key", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const kling = new KlingClient({ apiKey: SIM_DEFAULTS.apiKey, baseUrl: sim.url });
  const done = await kling.extensions.createAndWait({ video_id: SOURCE, external_task_id: "mine-1" }, FAST);
  assert.equal(done.task_status, "succeed");
  assert.equal(done.task_info.external_task_id, "mine-1");
});

test("text2video and image2video make sources that extend", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  // kling-v1-6 and kling-v1-5 are retired: only an account that kept access can still make a
  // source that video-extend takes.
  const kling = clientFor(sim, { allowRetiredModels: true });
  const t2v = await kling.textToVideo.create({ model_name: "kling-v1-6", prompt: "Sunrise over a lake", duration: "5" });
  const source = await kling.textToVideo.wait(t2v.task_id, FAST);
  assert.equal(source.task_result.videos[0].duration, "5");
  const i2v = await kling.imageToVideo.create({ model_name: "kling-v1-5", image: "https://example.com/cat.png" });
  assert.equal((await kling.imageToVideo.wait(i2v.task_id, FAST)).task_status, "succeed");
  assert.equal((await kling.textToVideo.get(t2v.task_id)).task_id, t2v.task_id);
  assert.equal((await kling.imageToVideo.list()).length, 1);
  const ext = await kling.extensions.createAndWait({ video_id: source.task_result.videos[0].id }, FAST);
  assert.equal(ext.task_result.videos[0].duration, "10");
});

test("a chain extends each step from the previous result: 5 s + 3 steps = 20 s", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const steps = [];
  const tasks = await clientFor(sim).extensions.chain(
    { video_id: SOURCE, prompts: ["Birds fly", "A deer drinks", "Pull back"], external_task_id: "chain-a" },
    { ...FAST, onProgress: (_task, info) => steps.push(info.step) },
  );
  assert.deepEqual(
    tasks.map((x) => x.task_result.videos[0].duration),
    ["10", "15", "20"],
  );
  assert.equal(tasks[1].task_info.parent_video.id, tasks[0].task_result.videos[0].id);
  assert.equal(tasks[2].task_info.parent_video.id, tasks[1].task_result.videos[0].id);
  assert.deepEqual(
    tasks.map((x) => x.task_info.external_task_id),
    ["chain-a-1", "chain-a-2", "chain-a-3"],
  );
  assert.deepEqual([...new Set(steps)], [1, 2, 3]);
});

test("a chain that could pass 180 s is refused before anything is sent", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const kling = clientFor(sim);
  const e = await rejectionOf(kling.extensions.chain({ video_id: LONG_SOURCE, video_duration: 178, prompts: ["one more"] }, FAST));
  assert.equal(e.code, "ERR_KLING_INVALID_REQUEST");
  assert.equal(e.field, "prompts");
  assert.equal(sim.requests().length, 0);
});

test("Kling's refusals of a source arrive as errors with code and request id", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const kling = clientFor(sim);
  for (const video_id of [V2_SOURCE, LONG_SOURCE]) {
    const e = await rejectionOf(kling.extensions.create({ video_id }));
    assert.equal(e.code, "ERR_KLING_BAD_REQUEST");
    assert.equal(e.apiCode, 1201);
    assert.equal(e.status, 400);
    assert.match(e.requestId, /.+/);
  }
  assert.equal(apiRequests(sim, "POST", "video-extend").length, 2);
});

test("a failed task rejects with ERR_KLING_TASK_FAILED and Kling's reason", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const e = await rejectionOf(clientFor(sim).extensions.createAndWait({ video_id: SOURCE, prompt: "[fail] please" }, FAST));
  assert.equal(e.code, "ERR_KLING_TASK_FAILED");
  assert.match(e.taskId, /^\d+$/);
  assert.match(e.taskStatusMsg, /risk control/i);
});
