import assert from "node:assert/strict";
import { test } from "node:test";
import { clientFor, rejectionOf, SOURCE, startSim } from "./support.mjs";

/** The most tasks the simulator held in submitted/processing at once, sampled every 5 ms. */
function sampleBusy(sim) {
  let peak = 0;
  const timer = setInterval(() => {
    const busy = sim.tasks().filter((t) => t.task_status === "submitted" || t.task_status === "processing").length;
    peak = Math.max(peak, busy);
  }, 5);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

test("50 extensions.createAndWait calls against a 5-task cap all succeed, queued client-side", async (t) => {
  const sim = await startSim({ maxConcurrentTasks: 5, timing: { submittedMs: 20, processingMs: 60 } });
  t.after(() => sim.close());
  const kling = clientFor(sim, { maxConcurrentTasks: 5 });
  const stop = sampleBusy(sim);
  const started = Date.now();
  const results = await Promise.allSettled(
    Array.from({ length: 50 }, (_, i) => kling.extensions.createAndWait({ video_id: SOURCE, prompt: `shot ${i}` }, { pollIntervalMs: 20 })),
  );
  const peak = stop();
  const failed = results.filter((r) => r.status === "rejected");
  assert.equal(failed.length, 0, failed.map((r) => r.reason?.code).join(", "));
  assert.equal(new Set(results.map((r) => r.value.task_id)).size, 50);
  const refusals = sim.requests().filter((r) => r.status === 429).length;
  assert.equal(refusals, 0, "no 1303: the client never went over the cap");
  assert.ok(peak <= 5, `the simulator held ${peak} tasks at once`);
  console.log(`concurrency: 50 tasks, cap 5, peak ${peak} busy, ${refusals} refusals, ${Date.now() - started} ms`);
});

test("without a client limit, 1303 refusals are backed off and retried", async (t) => {
  const sim = await startSim({ maxConcurrentTasks: 5, timing: { submittedMs: 20, processingMs: 60 } });
  t.after(() => sim.close());
  const kling = clientFor(sim, { maxRetries: 10 });
  const results = await Promise.allSettled(
    Array.from({ length: 8 }, () => kling.extensions.createAndWait({ video_id: SOURCE }, { pollIntervalMs: 20 })),
  );
  assert.deepEqual(
    results.map((r) => r.status),
    Array(8).fill("fulfilled"),
  );
  assert.ok(
    sim.requests().some((r) => r.status === 429),
    "the cap was hit and ridden out",
  );
});

test("an abort while queued for a slot sends nothing", async (t) => {
  const sim = await startSim({ timing: { submittedMs: 2000, processingMs: 2000 } });
  t.after(() => sim.close());
  const kling = clientFor(sim, { maxConcurrentTasks: 1 });
  const first = kling.extensions.createAndWait({ video_id: SOURCE }, { pollIntervalMs: 50, timeoutMs: 300 }).catch((e) => e);
  const controller = new AbortController();
  const queued = kling.extensions.createAndWait({ video_id: SOURCE }, { signal: controller.signal });
  setTimeout(() => controller.abort(), 80);
  const e = await rejectionOf(queued);
  assert.equal(e.code, "ERR_KLING_ABORTED");
  assert.match(e.message, /nothing was sent/);
  assert.equal((await first).code, "ERR_KLING_WAIT_TIMEOUT");
  assert.equal(sim.tasks().length, 1);
});
