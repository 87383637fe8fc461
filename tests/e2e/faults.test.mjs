import assert from "node:assert/strict";
import { test } from "node:test";
import { apiRequests, clientFor, rejectionOf, SOURCE, startSim } from "./support.mjs";

const EXTEND = "/v1/videos/video-extend";

async function setup(t, options) {
  const sim = await startSim(options);
  t.after(() => sim.close());
  return { sim, kling: clientFor(sim) };
}

test("1102 (resource pack exhausted) is not retried, despite its 429", async (t) => {
  const { sim, kling } = await setup(t);
  sim.injectFault({ method: "POST", path: EXTEND, action: { type: "error", status: 429, code: 1102 } });
  const e = await rejectionOf(kling.extensions.create({ video_id: SOURCE }));
  assert.equal(e.code, "ERR_KLING_ACCOUNT");
  assert.equal(e.apiCode, 1102);
  assert.equal(e.retryable, false);
  assert.match(e.externalTaskId, /^ke-/);
  assert.equal(apiRequests(sim, "POST", EXTEND).length, 1);
  assert.equal(sim.tasks().length, 0);
});

test("1303 (concurrency) is retried and the task is created once", async (t) => {
  const { sim, kling } = await setup(t);
  sim.injectFault({
    method: "POST",
    path: EXTEND,
    action: { type: "error", status: 429, code: 1303, headers: { "retry-after-ms": "20" } },
  });
  const task = await kling.extensions.create({ video_id: SOURCE });
  assert.equal(task.task_status, "submitted");
  assert.equal(apiRequests(sim, "POST", EXTEND).length, 2);
  assert.equal(sim.tasks().length, 1);
});

test("the simulator's real concurrency cap answers 1303 and the client rides it out", async (t) => {
  const { sim, kling } = await setup(t, { maxConcurrentTasks: 1, timing: { submittedMs: 10, processingMs: 40 } });
  await kling.extensions.create({ video_id: SOURCE });
  const second = await kling.extensions.create({ video_id: SOURCE }, { maxRetries: 4 });
  assert.equal(second.task_status, "submitted");
  assert.ok(
    sim.requests().some((r) => r.status === 429),
    "a 1303 was answered",
  );
  assert.equal(sim.tasks().length, 2);
});

test("5xx answers are retried: 500/5000, HTML 502, 503/5001", async (t) => {
  const { sim, kling } = await setup(t);
  sim.injectFault([
    { method: "GET", action: { type: "error", status: 500, code: 5000, headers: { "retry-after": "0" } } },
    { method: "GET", action: { type: "html", status: 502 }, skip: 0 },
  ]);
  const page = await kling.extensions.list({}, { maxRetries: 2 });
  assert.ok(Array.isArray(page));
  assert.equal(apiRequests(sim, "GET", EXTEND).length, 3);
  sim.injectFault({ method: "GET", times: 3, action: { type: "error", status: 503, code: 5001, headers: { "retry-after": "0" } } });
  const e = await rejectionOf(kling.extensions.list());
  assert.equal(e.code, "ERR_KLING_SERVER");
  assert.equal(e.apiCode, 5001);
  assert.equal(e.retryable, true);
});

for (const type of ["drop-after", "drop-before", "truncated"]) {
  test(`a ${type} connection on create ends with exactly one task`, async (t) => {
    const { sim, kling } = await setup(t);
    sim.injectFault({ method: "POST", path: EXTEND, action: { type } });
    const task = await kling.extensions.create({ video_id: SOURCE, external_task_id: `once-${type}` });
    assert.equal(task.task_info.external_task_id, `once-${type}`);
    const tasks = sim.tasks().filter((x) => x.family === "video-extend");
    assert.equal(tasks.length, 1, "one task in the simulator, not two");
    assert.equal(tasks[0].task_id, task.task_id);
    const posts = apiRequests(sim, "POST", EXTEND).length;
    assert.equal(posts, type === "drop-before" ? 2 : 1, "re-submitted only when the lookup found nothing");
    assert.equal(apiRequests(sim, "GET", `${EXTEND}/once-${type}`).length, 1, "looked up by external_task_id first");
  });
}

test("a response that never comes is a timeout, retried, then ERR_KLING_TIMEOUT", async (t) => {
  const { sim, kling } = await setup(t);
  sim.injectFault({ method: "GET", times: 2, action: { type: "hang" } });
  const e = await rejectionOf(kling.extensions.get("123", { timeoutMs: 100, maxRetries: 1 }));
  assert.equal(e.code, "ERR_KLING_TIMEOUT");
  assert.equal(apiRequests(sim, "GET", EXTEND).length, 2);
});

test("waiting stops at its deadline with the task id and last status", async (t) => {
  const { kling } = await setup(t, { timing: { submittedMs: 5000, processingMs: 5000 } });
  const created = await kling.extensions.create({ video_id: SOURCE });
  const started = Date.now();
  const e = await rejectionOf(kling.extensions.wait(created.task_id, { timeoutMs: 150, pollIntervalMs: 40 }));
  assert.equal(e.code, "ERR_KLING_WAIT_TIMEOUT");
  assert.equal(e.taskId, created.task_id);
  assert.equal(e.lastStatus, "submitted");
  assert.ok(Date.now() - started < 2000);
});

test("an abort stops waiting at once and says the task keeps running", async (t) => {
  const { sim, kling } = await setup(t, { timing: { submittedMs: 5000, processingMs: 5000 } });
  const controller = new AbortController();
  const waiting = kling.extensions.createAndWait({ video_id: SOURCE }, { signal: controller.signal, pollIntervalMs: 10_000 });
  setTimeout(() => controller.abort(), 50);
  const started = Date.now();
  const e = await rejectionOf(waiting);
  assert.equal(e.code, "ERR_KLING_ABORTED");
  assert.match(e.message, /keeps running/);
  assert.match(e.taskId, /^\d+$/);
  assert.ok(Date.now() - started < 1000);
  assert.equal(sim.tasks().length, 1);
});

for (const [name, offsetMs] of [
  ["10 minutes ahead of", -600_000],
  ["40 minutes behind", 2_400_000],
]) {
  test(`a client clock ${name} the server's is corrected from Date after one re-sign`, async (t) => {
    const { sim, kling } = await setup(t, { clockOffsetMs: offsetMs });
    assert.ok(Array.isArray(await kling.extensions.list()));
    const statuses = sim.requests().map((r) => r.status);
    assert.deepEqual(statuses, [401, 200]);
    assert.ok(Array.isArray(await kling.extensions.list()));
    assert.deepEqual(
      sim.requests().map((r) => r.status),
      [401, 200, 200],
      "the offset is remembered",
    );
  });
}
