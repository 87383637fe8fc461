import assert from "node:assert/strict";
import { test } from "node:test";
import { api, SAMPLE, startFast, waitForTask } from "../test-support/helpers.mjs";

test("more requests than the rate limit allows in a window get 429 / 1302", async () => {
  const sim = await startFast({ rateLimit: { max: 3, windowMs: 500 } });
  try {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await api(sim, "GET", "/v1/videos/text2video")).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const refused = await api(sim, "GET", "/v1/videos/text2video");
    assert.equal(refused.body.code, 1302);
    // control endpoints are not API requests and are never limited
    assert.equal((await fetch(`${sim.url}/__sim/requests`)).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 520));
    assert.equal((await api(sim, "GET", "/v1/videos/text2video")).status, 200);
  } finally {
    await sim.close();
  }
});

test("creates over the concurrency cap get 429 / 1303 until a task ends", async () => {
  const sim = await startFast({ maxConcurrentTasks: 2 });
  try {
    const a = await api(sim, "POST", "/v1/videos/video-extend", { video_id: SAMPLE.v16 });
    await api(sim, "POST", "/v1/videos/text2video", { prompt: "x", model_name: "kling-v2-6" });
    const over = await api(sim, "POST", "/v1/videos/video-extend", { video_id: SAMPLE.v16 });
    assert.equal(over.status, 429);
    assert.equal(over.body.code, 1303);
    assert.equal(sim.tasks().length, 2);
    // queries use no slot
    assert.equal((await api(sim, "GET", `/v1/videos/video-extend/${a.body.data.task_id}`)).status, 200);
    await waitForTask(sim, "video-extend", a.body.data.task_id);
    assert.equal((await api(sim, "POST", "/v1/videos/video-extend", { video_id: SAMPLE.v16 })).status, 200);
  } finally {
    await sim.close();
  }
});

test("limits can be changed at runtime over HTTP", async () => {
  const sim = await startFast();
  try {
    const res = await fetch(`${sim.url}/__sim/config`, {
      method: "POST",
      body: JSON.stringify({ maxConcurrentTasks: 1, rateLimit: { max: 100, windowMs: 1000 }, timing: { processingMs: 10 } }),
    });
    const config = await res.json();
    assert.equal(config.maxConcurrentTasks, 1);
    assert.deepEqual(config.timing, { submittedMs: 20, processingMs: 10 });
    await api(sim, "POST", "/v1/videos/text2video", { prompt: "x", model_name: "kling-v2-6" });
    assert.equal((await api(sim, "POST", "/v1/videos/text2video", { prompt: "y", model_name: "kling-v2-6" })).body.code, 1303);
    const bad = await fetch(`${sim.url}/__sim/config`, { method: "POST", body: JSON.stringify({ port: 1 }) });
    assert.equal(bad.status, 400);
    await fetch(`${sim.url}/__sim/config`, { method: "POST", body: JSON.stringify({ maxConcurrentTasks: null }) });
    assert.equal(sim.config().maxConcurrentTasks, null);
  } finally {
    await sim.close();
  }
});
