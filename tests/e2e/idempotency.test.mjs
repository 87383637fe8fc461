// external_task_id as an idempotency key, in-doubt creates and resumable chains, against the
// simulator (which refuses a reused external_task_id with 400/1201, as Kling documents ids unique).

import assert from "node:assert/strict";
import { test } from "node:test";
import { apiRequests, clientFor, FAST, rejectionOf, SOURCE, startSim } from "./support.mjs";

const OTHER_SOURCE = "800000000000000006"; // kling-v1-5 pro, 5 s
const extensions = (sim) => sim.tasks().filter((t) => t.family === "video-extend");

test("the same id with the same video resolves with the first task and creates nothing", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const kling = clientFor(sim);
  const first = await kling.extensions.create({ video_id: SOURCE, external_task_id: "order-1" });
  const again = await kling.extensions.create({ video_id: SOURCE, external_task_id: "order-1" });
  assert.equal(again.task_id, first.task_id);
  assert.equal(extensions(sim).length, 1);
  assert.equal(apiRequests(sim, "POST", "video-extend").length, 2, "the second POST was refused as a duplicate");
  assert.equal(apiRequests(sim, "GET", "video-extend/order-1").length, 1, "…and the id looked up once");
});

test("the same id with another video is refused naming the task that holds it", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const kling = clientFor(sim);
  const first = await kling.extensions.create({ video_id: SOURCE, external_task_id: "order-1" });
  const e = await rejectionOf(kling.extensions.create({ video_id: OTHER_SOURCE, external_task_id: "order-1" }));
  assert.equal(e.code, "ERR_KLING_BAD_REQUEST");
  assert.equal(e.field, "external_task_id");
  assert.equal(e.taskId, first.task_id);
  assert.equal(e.externalTaskId, "order-1");
  assert.equal(e.retryable, false);
  assert.match(e.message, new RegExp(`already belongs to task ${first.task_id}, which extends video ${SOURCE}, not video ${OTHER_SOURCE}`));
  assert.equal(extensions(sim).length, 1);
});

test("after an ambiguous failure, a task holding the id for another video is never returned", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const kling = clientFor(sim, { maxRetries: 2 });
  const first = await kling.extensions.create({ video_id: SOURCE, external_task_id: "order-1" });
  // Kling refuses the duplicate, but the answer is lost: the lookup then finds the first task.
  sim.injectFault({ method: "POST", path: "/v1/videos/video-extend", action: { type: "drop-after" } });
  const e = await rejectionOf(kling.extensions.create({ video_id: OTHER_SOURCE, external_task_id: "order-1" }));
  assert.equal(e.field, "external_task_id");
  assert.equal(e.taskId, first.task_id);
  assert.equal(e.taskMayExist, undefined);
  assert.equal(extensions(sim).length, 1);
});

test("text2video: the id alone decides", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const kling = clientFor(sim);
  const params = { model_name: "kling-v3", prompt: "a lake", external_task_id: "src-1" };
  const first = await kling.textToVideo.create(params);
  const again = await kling.textToVideo.create({ ...params, prompt: "a different prompt" });
  assert.equal(again.task_id, first.task_id);
  assert.equal(sim.tasks().filter((t) => t.family === "text2video").length, 1);
});

test("a create that cannot be settled says taskMayExist; calling again with its id creates it once", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const kling = clientFor(sim, { maxRetries: 1, timeoutMs: 2000 });
  sim.injectFault([
    { method: "POST", path: "/v1/videos/video-extend", action: { type: "drop-after" } },
    { method: "GET", path: "/v1/videos/video-extend/", times: 0, action: { type: "drop-before" } },
  ]);
  const e = await rejectionOf(kling.extensions.create({ video_id: SOURCE }));
  assert.equal(e.code, "ERR_KLING_NETWORK");
  assert.equal(e.taskMayExist, true);
  assert.equal(e.retryable, false, "a generic retry wrapper must not call again with a fresh id");
  assert.match(e.externalTaskId, /^ke-[0-9a-f]{24}$/);
  assert.match(e.message, new RegExp(`call again with external_task_id "${e.externalTaskId}"`));
  sim.clearFaults();
  const task = await kling.extensions.create({ video_id: SOURCE, external_task_id: e.externalTaskId });
  assert.equal(task.task_info.external_task_id, e.externalTaskId);
  assert.equal(extensions(sim).length, 1, "the task the lost answer created, not a second one");
});

test("a chain interrupted after step 1 and re-run with the same prefix ends with exactly 3 tasks", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const kling = clientFor(sim);
  const params = { video_id: SOURCE, prompts: ["Birds fly", "A deer drinks", "Pull back"], external_task_id: "trip" };
  const stop = new AbortController();
  const interrupted = await rejectionOf(
    kling.extensions.chain(params, {
      ...FAST,
      signal: stop.signal,
      onProgress: (task, info) => {
        if (info.step === 1 && task.task_status === "succeed") stop.abort();
      },
    }),
  );
  assert.equal(interrupted.code, "ERR_KLING_ABORTED");
  assert.equal(interrupted.externalTaskId, "trip");
  assert.equal(interrupted.completed.length, 1, "step 1 finished; step 2 never started");
  assert.equal(extensions(sim).length, 1);
  const step1 = extensions(sim)[0].task_id;
  assert.equal(interrupted.completed[0].task_id, step1);

  const tasks = await kling.extensions.chain(params, FAST);
  const ids = tasks.map((task) => task.task_id);
  const externalIds = tasks.map((task) => task.task_info.external_task_id);
  const durations = tasks.map((task) => task.task_result.videos[0].duration);
  t.diagnostic(
    `interrupted: ${interrupted.code} after step 1 (${step1}); re-run: ${ids.join(", ")} as ${externalIds.join(", ")}, ${durations.join(" → ")} s; tasks in the simulator: ${extensions(sim).length}`,
  );
  assert.equal(ids[0], step1, "step 1's task id unchanged");
  assert.deepEqual(externalIds, ["trip-1", "trip-2", "trip-3"]);
  assert.deepEqual(durations, ["10", "15", "20"]);
  assert.equal(extensions(sim).length, 3, "exactly 3 tasks");
  assert.equal(apiRequests(sim, "POST", "video-extend").length, 3, "step 1 was never posted again");
});

test("a chain whose step failed resumes under its generated prefix, the step tried again under a new id", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const kling = clientFor(sim);
  const e = await rejectionOf(kling.extensions.chain({ video_id: SOURCE, prompts: ["Birds fly", "[fail] a storm"] }, FAST));
  assert.equal(e.code, "ERR_KLING_TASK_FAILED");
  assert.match(e.externalTaskId, /^ke-[0-9a-f]{24}$/, "the generated prefix rides along");
  assert.match(e.message, new RegExp(`re-run the chain with external_task_id "${e.externalTaskId}"`));
  assert.equal(e.completed.length, 1);
  const tasks = await kling.extensions.chain(
    { video_id: SOURCE, prompts: ["Birds fly", "a storm"], external_task_id: e.externalTaskId },
    FAST,
  );
  assert.equal(tasks[0].task_id, e.completed[0].task_id);
  assert.equal(tasks[1].task_info.external_task_id, `${e.externalTaskId}-2.2`);
  assert.equal(tasks[1].task_result.videos[0].duration, "15");
  const all = extensions(sim);
  assert.equal(all.length, 3, "step 1, the failed try of step 2, and its second try");
  assert.equal(all.filter((task) => task.task_status === "failed").length, 1);
});
