// planChain and chainStep: a chain driven one step at a time by a runner that keeps the state
// itself (as a durable workflow does), with the same rules as extensions.chain.

import assert from "node:assert/strict";
import { test } from "node:test";
import { chainStep, clientFor, FAST, LONG_SOURCE, planChain, pollIntervalMs, rejectionOf, SOURCE, startSim } from "./support.mjs";

const params = { video_id: SOURCE, prompts: ["Birds fly", "A deer drinks", "Pull back"], external_task_id: "durable" };

function thrown(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}

test("planChain checks the whole chain without sending anything", () => {
  assert.deepEqual(planChain({ ...params, video_duration: "5" }), {
    steps: 3,
    method: "extend",
    families: ["video-extend", "video-extend", "video-extend"],
    step_seconds: [null, null, null],
    max_seconds: 180,
    video_id: SOURCE,
    video_duration: 5,
    external_task_id: "durable",
  });
  const e = thrown(() => planChain({ ...params, video_id: LONG_SOURCE, video_duration: 178 }));
  assert.equal(e.code, "ERR_KLING_INVALID_REQUEST");
  assert.match(e.message, /past the chain's 180 s limit .*nothing was sent/);
  assert.equal(thrown(() => planChain({ ...params, prompts: [{ prompt: "x", cfg_scale: 3 }] })).field, "cfg_scale");
});

test("a runner that restarts between steps ends with exactly one task per step", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const done = [];
  // Each step by a fresh client, as a restarted isolate would have.
  for (let next = chainStep(params, done); next; next = chainStep(params, done)) {
    assert.equal(next.step, done.length + 1);
    assert.equal(next.params.external_task_id, `durable-${next.step}`);
    const kling = clientFor(sim);
    // A retried step (the runner crashed before recording it) pays nothing twice.
    if (next.step === 2) await kling.extensions.create(next.params);
    done.push(await kling.extensions.createAndWait(next.params, FAST));
  }
  assert.deepEqual(
    done.map((task) => task.task_result.videos[0].duration),
    ["10", "15", "20"],
  );
  assert.equal(sim.tasks().filter((task) => task.family === "video-extend").length, 3);
});

test("chainStep refuses a step that could pass 180 s, and a later try of a failed step gets its own id", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const tooLong = { ...params, video_id: LONG_SOURCE, prompts: ["a"] };
  const fake = { task_id: "t", task_status: "succeed", task_result: { videos: [{ id: "v", duration: "177" }] } };
  const e = thrown(() => chainStep({ ...tooLong, prompts: ["a", "b"] }, [fake]));
  assert.equal(e.code, "ERR_KLING_INVALID_REQUEST");
  assert.match(e.message, /step 2 would extend a 177 s video/);
  const second = chainStep(params, [], 2);
  assert.equal(second.params.external_task_id, "durable-1.2");
  const kling = clientFor(sim);
  const failed = await rejectionOf(kling.extensions.createAndWait({ ...chainStep(params, []).params, prompt: "[fail]" }, FAST));
  assert.equal(failed.code, "ERR_KLING_TASK_FAILED");
  const retried = await kling.extensions.createAndWait(second.params, FAST);
  assert.equal(retried.task_info.external_task_id, "durable-1.2");
  assert.equal(thrown(() => chainStep({ ...params, external_task_id: undefined }, [])).field, "external_task_id");
  assert.equal(chainStep(params, [fake, fake, fake]), null);
});

test("pollIntervalMs is the schedule every wait follows: 5 s for 40 s, then an eighth of the wait, up to 15 s", () => {
  assert.deepEqual([0, 39_000, 48_000, 80_000, 120_000, 3_600_000].map(pollIntervalMs), [5000, 5000, 6000, 10000, 15000, 15000]);
  assert.equal(pollIntervalMs(Number.NaN), 5000);
  assert.equal(pollIntervalMs(-1), 5000);
});
