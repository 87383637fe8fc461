import { test } from "node:test";
import assert from "node:assert/strict";
import { startSim, clientFor, SOURCE, rejectionOf } from "./support.mjs";

const long = (n, ch = "a") => ch.repeat(n);

// [method, params, the field named in the error]
const CASES = [
  ["extendVideo", {}, "video_id"],
  ["extendVideo", { video_id: "" }, "video_id"],
  ["extendVideo", { video_id: 743211632612511839 }, "video_id"],
  ["extendVideo", { video_id: SOURCE, prompt: long(2501) }, "prompt"],
  ["extendVideo", { video_id: SOURCE, prompt: long(2501, "视") }, "prompt"],
  ["extendVideo", { video_id: SOURCE, negative_prompt: long(2501) }, "negative_prompt"],
  ["extendVideo", { video_id: SOURCE, cfg_scale: 1.5 }, "cfg_scale"],
  ["extendVideo", { video_id: SOURCE, cfg_scale: -0.1 }, "cfg_scale"],
  ["extendVideo", { video_id: SOURCE, cfg_scale: "0.5" }, "cfg_scale"],
  ["extendVideo", { video_id: SOURCE, cfg_scale: NaN }, "params"],
  ["extendVideo", { video_id: SOURCE, callback_url: "ftp://example.com/cb" }, "callback_url"],
  ["extendVideo", { video_id: SOURCE, callback_url: "not a url" }, "callback_url"],
  ["extendVideo", { video_id: SOURCE, watermark_info: true }, "watermark_info"],
  ["extendVideo", { video_id: SOURCE, watermark_info: { enabled: "yes" } }, "watermark_info"],
  ["extendVideo", { task_id: "123" }, "task_id"],
  ["extendVideo", { video_id: SOURCE, duration: "5" }, "duration"],
  ["extendVideo", { video_id: SOURCE, mode: "pro" }, "mode"],
  ["extendVideo", { video_id: SOURCE, model_name: "kling-v2-master" }, "model_name"],
  ["createTextToVideo", { model_name: "kling-v1-6" }, "prompt"],
  ["createTextToVideo", { model_name: "kling-v1-6", prompt: "x", duration: 5 }, "duration"],
  ["createTextToVideo", { model_name: "kling-v1-6", prompt: "x", duration: "7" }, "duration"],
  ["createTextToVideo", { model_name: "kling-v1-6", prompt: "x", mode: "standard" }, "mode"],
  ["createTextToVideo", { model_name: "kling-v1-6", prompt: "x", aspect_ratio: "4:3" }, "aspect_ratio"],
  ["createImageToVideo", { model_name: "kling-v1-6", prompt: "x" }, "image"],
  ["createImageToVideo", { model_name: "kling-v1-6", image: "data:image/png;base64,AAAA" }, "image"],
  ["listExtensions", { pageNum: 0 }, "pageNum"],
  ["listExtensions", { pageNum: 1001 }, "pageNum"],
  ["listExtensions", { pageSize: 501 }, "pageSize"],
  ["listExtensions", { pageSize: 2.5 }, "pageSize"],
  ["chainExtensions", { video_id: SOURCE, prompts: [] }, "prompts"],
  ["chainExtensions", { video_id: SOURCE, prompts: ["ok", long(2501)] }, "prompt"],
];

test("every documented rule is checked before anything is sent", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const kling = clientFor(sim);
  for (const [method, params, field] of CASES) {
    const e = await rejectionOf(kling[method](params));
    assert.equal(e.code, "ERR_KLING_INVALID_REQUEST", `${method} ${JSON.stringify(params)?.slice(0, 80)}`);
    assert.equal(e.field, field, `${method}: ${e.message}`);
    assert.ok(e instanceof Error && e.stack);
  }
  assert.equal(sim.requests().length, 0, "no request reached the simulator");
});

test("limits are counted in characters, not bytes", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const task = await clientFor(sim).extendVideo({ video_id: SOURCE, prompt: long(2500, "视"), negative_prompt: "", callback_url: "" });
  assert.equal(task.task_status, "submitted");
});

test("bad per-call options are refused too", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const kling = clientFor(sim);
  for (const opts of [{ timeoutMs: 0 }, { maxRetries: -1 }, { signal: "stop" }, { tiemoutMs: 5 }]) {
    const e = await rejectionOf(kling.getExtension("1", opts));
    assert.equal(e.code, "ERR_KLING_INVALID_OPTIONS", JSON.stringify(opts));
  }
  const e = await rejectionOf(kling.waitForExtension("1", { pollIntervalMs: -5 }));
  assert.equal(e.code, "ERR_KLING_INVALID_OPTIONS");
  assert.equal(sim.requests().length, 0);
});
