import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import { api, FAST, SAMPLE, startFast, waitForTask } from "../test-support/helpers.mjs";

let sim;
before(async () => {
  sim = await startFast();
});
beforeEach(() => sim.reset());
after(() => sim.close());

test("an extension goes submitted → processing → succeed with a longer video", async (t) => {
  // Slower than FAST so that polling under a loaded machine still sees every state.
  sim.configure({ timing: { submittedMs: 200, processingMs: 200 } });
  t.after(() => sim.configure({ timing: FAST }));
  const created = await api(sim, "POST", "/v1/videos/video-extend", { video_id: SAMPLE.v16, prompt: "a puppy appears" });
  assert.equal(created.status, 200);
  assert.equal(created.headers.get("content-type"), "application/json; charset=utf-8");
  const { data } = created.body;
  assert.deepEqual(Object.keys(data), ["task_id", "task_status", "task_info", "created_at", "updated_at"]);
  assert.match(data.task_id, /^\d{18}$/);
  assert.equal(data.task_status, "submitted");
  assert.equal(created.body.request_id, created.headers.get("x-request-id"));

  const statuses = new Set();
  let final;
  while (!final) {
    const { body } = await api(sim, "GET", `/v1/videos/video-extend/${data.task_id}`);
    statuses.add(body.data.task_status);
    if (body.data.task_status === "succeed") final = body.data;
    else await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.deepEqual([...statuses], ["submitted", "processing", "succeed"]);
  assert.equal(final.task_info.parent_video.id, SAMPLE.v16);
  assert.equal(final.task_info.parent_video.duration, "5");
  const [video] = final.task_result.videos;
  assert.match(video.id, /^\d{18}$/);
  assert.notEqual(video.id, data.task_id);
  assert.equal(video.duration, "10");
  assert.equal(video.url, `${sim.url}/media/${video.id}.mp4`);
  assert.equal(video.watermark_url, undefined);
  assert.equal(final.final_unit_deduction, "2");
  assert.ok(final.updated_at > final.created_at);
});

test("an extension result can be extended again; the chain inherits model and pricing", async () => {
  const first = await api(sim, "POST", "/v1/videos/video-extend", { video_id: SAMPLE.v15, watermark_info: { enabled: true } });
  const done = await waitForTask(sim, "video-extend", first.body.data.task_id);
  assert.equal(done.task_result.videos[0].duration, "15");
  assert.ok(done.task_result.videos[0].watermark_url.endsWith("-wm.mp4"));
  assert.equal(done.final_unit_deduction, "2"); // kling-v1-5 source, std
  const second = await api(sim, "POST", "/v1/videos/video-extend", { video_id: done.task_result.videos[0].id });
  const chained = await waitForTask(sim, "video-extend", second.body.data.task_id);
  assert.equal(chained.task_result.videos[0].duration, "20");
});

test("a prompt with [fail] ends failed, with a reason and no charge", async () => {
  const { body } = await api(sim, "POST", "/v1/videos/video-extend", { video_id: SAMPLE.v15pro, prompt: "x [fail]" });
  const done = await waitForTask(sim, "video-extend", body.data.task_id);
  assert.equal(done.task_status, "failed");
  assert.equal(done.task_status_msg, "Content risk control triggered (simulated)");
  assert.equal(done.task_result, undefined);
  assert.equal(done.final_unit_deduction, undefined);
});

test("with allowRetiredModels, text2video makes an extendable kling-v1-6 source of the requested duration", async (t) => {
  sim.configure({ allowRetiredModels: true });
  t.after(() => sim.configure({ allowRetiredModels: false }));
  const { body } = await api(sim, "POST", "/v1/videos/text2video", {
    prompt: "a cat",
    model_name: "kling-v1-6",
    duration: "10",
    mode: "pro",
    aspect_ratio: "9:16",
  });
  const done = await waitForTask(sim, "text2video", body.data.task_id);
  assert.equal(done.task_result.videos[0].duration, "10");
  assert.equal(done.final_unit_deduction, "7");
  assert.equal(done.task_info.parent_video, undefined);
  const ext = await api(sim, "POST", "/v1/videos/video-extend", { video_id: done.task_result.videos[0].id });
  const extended = await waitForTask(sim, "video-extend", ext.body.data.task_id);
  assert.equal(extended.task_result.videos[0].duration, "15");
  assert.equal(extended.final_unit_deduction, "3.5"); // pro inherited from the source
});

test("image2video needs an image and defaults to 5 s", async () => {
  const missing = await api(sim, "POST", "/v1/videos/image2video", { prompt: "x", model_name: "kling-v2-6" });
  assert.equal(missing.status, 400);
  assert.equal(missing.body.code, 1201);
  assert.match(missing.body.message, /image/);
  const { body } = await api(sim, "POST", "/v1/videos/image2video", { image: "https://example.com/a.png", model_name: "kling-v2-5-turbo" });
  const done = await waitForTask(sim, "image2video", body.data.task_id);
  assert.equal(done.task_result.videos[0].duration, "5");
  assert.equal(done.final_unit_deduction, "2");
});

test("kling-v1, named or by default (no model_name), is refused as discontinued, and nothing is created", async () => {
  const message = "The model 'kling-v1' has been discontinued and is no longer available";
  const cases = [
    ["text2video", { prompt: "a cat", model_name: "kling-v1" }],
    ["text2video", { prompt: "a cat" }],
    ["text2video", { prompt: "a cat", model_name: null }],
    ["image2video", { image: "https://example.com/a.png", model_name: "kling-v1" }],
    ["image2video", { image: "https://example.com/a.png" }],
  ];
  for (const [family, body] of cases) {
    const res = await api(sim, "POST", `/v1/videos/${family}`, body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(res.body.code, 1201, JSON.stringify(body));
    assert.equal(res.body.message, message);
    assert.equal(res.body.data, undefined);
  }
  assert.equal(sim.tasks().length, 0);
  for (const model of ["kling-v2-5-turbo", "kling-v2-6", "kling-v3", "kling-v2-master"]) {
    const res = await api(sim, "POST", "/v1/videos/text2video", { prompt: "a cat", model_name: model });
    assert.equal(res.status, 200, model);
  }
});

test("bodies are validated like the real API", async () => {
  const cases = [
    ["video-extend", {}, 1201, /video_id/],
    ["video-extend", { video_id: SAMPLE.v16, prompt: "x".repeat(2501) }, 1201, /2500/],
    ["video-extend", { video_id: SAMPLE.v16, cfg_scale: 1.5 }, 1201, /cfg_scale/],
    ["video-extend", { video_id: SAMPLE.v16, mode: "pro" }, 1200, /mode/],
    ["video-extend", { video_id: SAMPLE.v16, callback_url: "not a url" }, 1201, /callback_url/],
    ["text2video", { prompt: "x", duration: 5 }, 1201, /duration/],
    ["text2video", { prompt: "x", model_name: "kling-v2-6", duration: "7" }, 1201, /duration/],
    ["text2video", { prompt: "x", mode: "fast" }, 1201, /mode/],
    ["text2video", { prompt: "x", aspect_ratio: "4:3" }, 1201, /aspect_ratio/],
    ["text2video", { prompt: "", model_name: "kling-v2-6" }, 1201, /prompt/],
    ["text2video", { model_name: "kling-v2-6" }, 1201, /prompt/],
    ["image2video", { image: "data:image/png;base64,AAAA" }, 1201, /data:/],
    ["video-extend", "{not json", 1200, /JSON/],
    ["video-extend", "[1,2]", 1200, /object/],
  ];
  for (const [family, body, code, message] of cases) {
    const res = await api(sim, "POST", `/v1/videos/${family}`, body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(res.body.code, code, JSON.stringify(body));
    assert.match(res.body.message, message);
  }
  const prompt2500 = "猫".repeat(2500); // characters, not bytes
  assert.equal((await api(sim, "POST", "/v1/videos/text2video", { prompt: prompt2500, model_name: "kling-v2-6" })).status, 200);
});

test("a duplicate external_task_id is refused within a family, and lookup by it works", async () => {
  const first = await api(sim, "POST", "/v1/videos/video-extend", { video_id: SAMPLE.v16, external_task_id: "job-1" });
  assert.equal(first.status, 200);
  assert.equal(first.body.data.task_info.external_task_id, "job-1");
  const dup = await api(sim, "POST", "/v1/videos/video-extend", { video_id: SAMPLE.v16, external_task_id: "job-1" });
  assert.equal(dup.status, 400);
  assert.equal(dup.body.code, 1201);
  assert.match(dup.body.message, /external_task_id/);
  const other = await api(sim, "POST", "/v1/videos/text2video", { prompt: "x", model_name: "kling-v2-6", external_task_id: "job-1" });
  assert.equal(other.status, 200);

  const byExternal = await api(sim, "GET", "/v1/videos/video-extend/job-1");
  assert.equal(byExternal.body.data.task_id, first.body.data.task_id);
  const wrongFamily = await api(sim, "GET", `/v1/videos/text2video/${first.body.data.task_id}`);
  assert.equal(wrongFamily.status, 404);
  assert.equal(wrongFamily.body.code, 1203);
});

test("lists are newest first and paged without a total", async () => {
  const ids = [];
  for (let i = 0; i < 5; i++) {
    ids.push((await api(sim, "POST", "/v1/videos/text2video", { prompt: `p${i}`, model_name: "kling-v2-6" })).body.data.task_id);
  }
  const page1 = await api(sim, "GET", "/v1/videos/text2video?pageNum=1&pageSize=2");
  const page3 = await api(sim, "GET", "/v1/videos/text2video?pageNum=3&pageSize=2");
  assert.deepEqual(
    page1.body.data.map((t) => t.task_id),
    [ids[4], ids[3]],
  );
  assert.deepEqual(
    page3.body.data.map((t) => t.task_id),
    [ids[0]],
  );
  assert.deepEqual(Object.keys(page1.body).sort(), ["code", "data", "message", "request_id"]);
  assert.equal((await api(sim, "GET", "/v1/videos/video-extend")).body.data.length, 0);
  for (const query of ["pageNum=0", "pageNum=1001", "pageSize=501", "pageSize=abc"]) {
    const res = await api(sim, "GET", `/v1/videos/text2video?${query}`);
    assert.equal(res.status, 400, query);
    assert.equal(res.body.code, 1201, query);
  }
});

test("unknown tasks are 404 / 1203 and wrong methods 404 / 1202", async () => {
  const unknown = await api(sim, "GET", "/v1/videos/video-extend/123");
  assert.deepEqual([unknown.status, unknown.body.code], [404, 1203]);
  const wrong = await api(sim, "DELETE", "/v1/videos/video-extend/123");
  assert.deepEqual([wrong.status, wrong.body.code], [404, 1202]);
  const put = await api(sim, "PUT", "/v1/videos/text2video", {});
  assert.deepEqual([put.status, put.body.code], [404, 1202]);
});

test("sim.tasks() and the request log see every family; Authorization is redacted", async () => {
  await api(sim, "POST", "/v1/videos/text2video", { prompt: "x", model_name: "kling-v2-6" });
  await api(sim, "POST", "/v1/videos/video-extend", { video_id: SAMPLE.v16 });
  assert.deepEqual(
    sim.tasks().map((t) => [t.family, t.task_status]),
    [
      ["text2video", "submitted"],
      ["video-extend", "submitted"],
    ],
  );
  const [entry] = sim.requests();
  assert.equal(entry.method, "POST");
  assert.equal(entry.path, "/v1/videos/text2video");
  assert.deepEqual(entry.body, { prompt: "x", model_name: "kling-v2-6" });
  assert.equal(entry.status, 200);
  assert.equal(entry.headers.authorization, "Bearer …");
  const overHttp = await (await fetch(`${sim.url}/__sim/tasks`)).json();
  assert.equal(overHttp.length, 2);
});
