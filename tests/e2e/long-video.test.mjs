// The main job on today's models, through the built package in Node against the simulator: a
// source, continued shot after shot by `kling.chains.run` (next-shot and last-frame), and its
// clips joined by kling-edge/mp4 into one MP4 that ffmpeg decodes, frame for frame.

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import { join } from "../../pkg/mp4/index.node.js";
import { decodedVideoFrames } from "../ffmpeg.mjs";
import { apiRequests, chainStep, clientFor, FAST, planChain, rejectionOf, startSim } from "./support.mjs";

const TMP = new URL("../../.tmp/e2e-long-video/", import.meta.url);

async function source(kling, seconds = "5") {
  const task = await kling.textToVideo.createAndWait(
    { model_name: "kling-v3", prompt: "A lighthouse at dawn", duration: seconds, aspect_ratio: "16:9" },
    FAST,
  );
  const video = task.task_result.videos[0];
  return { video_id: video.id, video_url: video.url, video_duration: video.duration };
}

/** The bodies of the creates the simulator took at `family`, in order. */
const created = (sim, family) =>
  apiRequests(sim, "POST", `/v1/videos/${family}`)
    .filter((r) => r.status === 200)
    .map((r) => r.body);

const bytes = async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer());

test("a next-shot chain continues the source clip by clip, and its clips join into one MP4", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const kling = clientFor(sim);
  const src = await source(kling);
  const seen = [];
  const run = await kling.chains.run(
    {
      ...src,
      method: "next-shot",
      prompts: ["The keeper climbs the stairs", { prompt: "The lamp turns", duration: 3 }, "Gulls over the sea"],
    },
    { ...FAST, onProgress: (_task, info) => seen.push(info.step) },
  );
  assert.equal(run.method, "next-shot");
  assert.equal(run.tasks.length, 3);
  assert.deepEqual(
    run.clips.map((c) => c.duration),
    [5, 5, 3, 5],
  );
  assert.equal(run.duration, 18);
  assert.equal(run.clips[0].task_id, undefined);
  assert.deepEqual(new Set(seen), new Set([1, 2, 3]));
  // Each step was an Omni-Video task referring to the clip before it, under <prefix>-<n>.
  const steps = created(sim, "omni-video");
  assert.equal(steps.length, 3);
  steps.forEach((body, i) => {
    assert.equal(body.external_task_id, `${run.external_task_id}-${i + 1}`);
    assert.deepEqual(body.video_list, [{ video_url: run.clips[i].url, refer_type: "feature" }]);
  });

  const clips = await Promise.all(run.clips.map((c) => bytes(c.url)));
  const joined = join(clips);
  mkdirSync(TMP, { recursive: true });
  const out = new URL("next-shot.mp4", TMP).pathname;
  writeFileSync(out, joined);
  const frames = clips.map((c, i) => {
    const file = new URL(`clip-${i}.mp4`, TMP).pathname;
    writeFileSync(file, c);
    return decodedVideoFrames(file);
  });
  assert.equal(
    decodedVideoFrames(out),
    frames.reduce((a, b) => a + b, 0),
  );
});

test("a last-frame chain sends each step the previous clip's last frame from the lastFrame hook", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const asked = [];
  const frame = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
  const kling = clientFor(sim, {
    lastFrame: async (url) => {
      asked.push(url);
      return asked.length === 1 ? frame : `data:image/png;base64,${Buffer.from(url).toString("base64")}`;
    },
  });
  const src = await source(kling);
  const run = await kling.chains.run({ ...src, prompts: ["a", "b"], external_task_id: "lf" }, FAST);
  assert.equal(run.method, "last-frame", "auto picks last-frame where a frame can be had");
  assert.deepEqual(asked, [src.video_url, run.clips[1].url]);
  const steps = created(sim, "image2video");
  assert.deepEqual(
    steps.map((body) => body.external_task_id),
    ["lf-1", "lf-2"],
  );
  // Bytes became base64; a data URL lost its prefix.
  assert.equal(steps[0].image, Buffer.from(frame).toString("base64"));
  assert.equal(steps[1].image, Buffer.from(run.clips[1].url).toString("base64"));
});

test("without a frame decoder, last-frame is refused before anything is paid, and auto takes the next shot", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const kling = clientFor(sim);
  const src = await source(kling);
  const before = sim.tasks().length;
  const e = await rejectionOf(kling.chains.run({ ...src, method: "last-frame", prompts: ["a"] }, FAST));
  assert.equal(e.code, "ERR_KLING_INVALID_REQUEST");
  assert.equal(e.field, "method");
  assert.match(e.message, /lastFrame/);
  assert.equal(sim.tasks().length, before, "nothing was created");
  const run = await kling.chains.run({ ...src, prompts: ["a"] }, FAST);
  assert.equal(run.method, "next-shot");
  const bad = await rejectionOf(kling.chains.run({ ...src, method: "next-shot", prompts: ["a"] }, { ...FAST, onProgress: 3 }));
  assert.equal(bad.code, "ERR_KLING_INVALID_OPTIONS");
  const hook = await rejectionOf(Promise.resolve().then(() => clientFor(sim, { lastFrame: "frame.jpg" })));
  assert.equal(hook.code, "ERR_KLING_INVALID_OPTIONS");
});

test("a chain stopped after a step resumes under its prefix and pays for no step twice", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const kling = clientFor(sim);
  const src = await source(kling);
  const params = { ...src, method: "next-shot", prompts: ["a", "b", "c"], external_task_id: "resume" };
  const controller = new AbortController();
  const stopped = await rejectionOf(
    kling.chains.run(params, {
      ...FAST,
      signal: controller.signal,
      onProgress: (_task, info) => {
        if (info.step === 2) controller.abort();
      },
    }),
  );
  assert.equal(stopped.code, "ERR_KLING_ABORTED");
  assert.equal(stopped.externalTaskId, "resume");
  const run = await kling.chains.run(params, FAST);
  assert.equal(run.tasks.length, 3);
  const made = created(sim, "omni-video");
  assert.deepEqual(made.map((body) => body.external_task_id).sort(), ["resume-1", "resume-2", "resume-3"]);
});

test("planChain and chainStep walk a chain of clips for a runner that keeps its state", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const kling = clientFor(sim);
  const src = await source(kling);
  const params = { ...src, method: "next-shot", prompts: ["a", { prompt: "b", duration: 10 }], external_task_id: "durable-clips" };
  assert.deepEqual(planChain(params), {
    steps: 2,
    method: "next-shot",
    families: ["omni-video", "omni-video"],
    step_seconds: [5, 10],
    max_seconds: 180,
    video_id: src.video_id,
    video_url: src.video_url,
    video_duration: 5,
    external_task_id: "durable-clips",
  });
  const done = [];
  for (let next = chainStep(params, done); next; next = chainStep(params, done)) {
    assert.equal(next.family, "omni-video");
    done.push(await kling.omniVideo.createAndWait(next.params, FAST));
  }
  assert.equal(done.length, 2);
  assert.equal(sim.tasks().filter((task) => task.family === "omni-video").length, 2);
  const lf = { ...params, method: "last-frame" };
  assert.throws(() => chainStep(lf, []), { code: "ERR_KLING_INVALID_REQUEST", field: "frame" });
  assert.equal(chainStep(lf, [], 1, { frame: "aGk=" }).params.image, "aGk=");
});
