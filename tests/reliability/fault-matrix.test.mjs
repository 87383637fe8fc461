// Every cell of the fault matrix (tests/reliability/matrix.mjs): one operation, one fault on its
// relevant request, the expected outcome and its invariants (requests sent, tasks in the
// simulator, the fields of the error). Results go to .tmp/reliability/fault-matrix.json for
// scripts/reliability-report.

import assert from "node:assert/strict";
import { after, test } from "node:test";
import { cellName, describe, EXTEND, expected, FAULTS, OPERATIONS } from "./matrix.mjs";
import { clientFor, rewritingFetch, SOURCE, settle, startSim, supportsOption, writeResults } from "./support.mjs";

const GENERATED_ID = /^ke-[0-9a-f]{24}$/;
const EXTRA = { nested: [1, { deep: true }], note: "a field this client does not know" };
const cells = [];
const started = Date.now();

const REWRITES = {
  "drop-status": (task) => {
    delete task.task_status;
  },
  extra: (task) => {
    task.x_future_field = structuredClone(EXTRA);
  },
  queued: (task) => {
    task.task_status = "queued";
  },
};

function rewriter(kind) {
  const change = REWRITES[kind];
  return (envelope) => {
    if (Array.isArray(envelope.data)) {
      // A list: a missing field in one item is enough; the other rewrites touch every item.
      for (const task of kind === "drop-status" ? envelope.data.slice(0, 1) : envelope.data) change(task);
    } else if (envelope.data && typeof envelope.data === "object") change(envelope.data);
    if (kind === "extra") envelope.x_envelope_extra = { trace: "abc" };
    return envelope;
  };
}

/** Where the fault goes: the operation's first relevant request (page 2 for the iterator). */
function target(op, setup) {
  switch (op.id) {
    case "create":
    case "chain":
    case "text2video":
      return { method: "POST", path: op.path, match: (p) => p === op.path, skip: 0 };
    case "get":
    case "wait": {
      const path = `${EXTEND}/${setup.task.task_id}`;
      return { method: "GET", path, match: (p) => p === path, skip: 0 };
    }
    case "list":
      return { method: "GET", path: EXTEND, match: (p) => p === EXTEND, skip: 0 };
    case "iterate":
      return { method: "GET", path: EXTEND, match: (p) => p === EXTEND, skip: 1 };
  }
}

async function prepare(sim, op) {
  const kling = clientFor(sim);
  const n = { get: 1, wait: 1, list: 2, iterate: 3 }[op.id] ?? 0;
  const tasks = [];
  for (let i = 0; i < n; i++) tasks.push(await kling.extensions.create({ video_id: SOURCE, prompt: `setup ${i}` }));
  return { task: tasks[0], tasks };
}

async function run(kling, op, setup, seen) {
  const onProgress = (task) => seen.push(task);
  const waitOpts = { pollIntervalMs: 20, timeoutMs: 20_000, onProgress };
  switch (op.id) {
    case "create":
      return kling.extensions.create({ video_id: SOURCE, prompt: "matrix" });
    case "get":
      return kling.extensions.get(setup.task.task_id);
    case "list":
      return kling.extensions.list({ pageSize: 10 });
    case "iterate": {
      for await (const task of kling.extensions.list({ pageSize: 2 })) seen.push(task);
      return seen;
    }
    case "wait":
      return kling.extensions.wait(setup.task.task_id, waitOpts);
    case "chain":
      return kling.extensions.chain({ video_id: SOURCE, prompts: ["step one", "step two"] }, waitOpts);
    case "text2video":
      return kling.textToVideo.create({ model_name: "kling-v3", prompt: "a fox in the snow" });
  }
}

async function runCell(fault, op) {
  const exp = expected(fault, op);
  const sim = await startSim();
  const problems = [];
  const check = (ok, what) => {
    if (!ok) problems.push(what);
  };
  const t0 = Date.now();
  try {
    const setup = await prepare(sim, op);
    const mark = sim.requests().length;
    const tasksBefore = sim.tasks().length;
    const where = target(op, setup);
    let fetch;
    if (fault.sim) sim.injectFault({ method: where.method, path: where.path, skip: where.skip, times: 1, action: fault.sim });
    else fetch = rewritingFetch({ method: where.method, path: where.match, skip: where.skip, rewrite: rewriter(fault.rewrite) });
    const kling = clientFor(sim, { timeoutMs: fault.hang ? 300 : 20_000, ...(fetch ? { fetch } : {}) });
    const seen = [];
    const outcome = await settle(run(kling, op, setup, seen));

    const log = sim
      .requests()
      .slice(mark)
      .filter((r) => r.path.startsWith(op.path));
    const posts = log.filter((r) => r.method === "POST").length;
    const lookups = log.filter((r) => r.method === "GET" && /\/ke-/.test(r.path)).length;
    const gets = log.filter((r) => r.method === "GET").length;
    const listGets = log.filter((r) => r.method === "GET" && r.path === EXTEND).length;
    const newTasks = sim.tasks().slice(tasksBefore);
    const faulted = (fault.sim ? log.filter((r) => r.fault).length : 0) + (fetch ? fetch.hits.length : 0);
    check(faulted === 1, `the fault was applied ${faulted} times, not once`);

    const e = outcome.ok ? null : outcome.error;
    const observed = {
      outcome: outcome.ok ? "ok" : `${e?.code ?? e?.name}${e?.apiCode ? ` (${e.apiCode})` : ""}`,
      requests: { posts, gets, lookups },
      tasksCreated: newTasks.length,
    };
    if (e)
      Object.assign(observed, {
        message: e.message,
        requestId: e.requestId,
        apiCode: e.apiCode,
        status: e.status,
        externalTaskId: e.externalTaskId,
        taskId: e.taskId,
        retryable: e.retryable,
      });

    if (exp.result === "reject") {
      check(!outcome.ok, `expected ${exp.code}, but it resolved`);
      if (e) {
        check(e instanceof Error && e.name === "KlingError", `not a KlingError: ${e}`);
        check(e.code === exp.code, `code ${e.code}, expected ${exp.code}`);
        if (exp.apiCode) check(e.apiCode === exp.apiCode, `apiCode ${e.apiCode}, expected ${exp.apiCode}`);
        if (exp.apiCode) check(String(e.message).includes(String(exp.apiCode)), `the message does not name code ${exp.apiCode}`);
        check(typeof e.requestId === "string" && e.requestId.length > 0, "no requestId although the server answered");
        check(e.retryable === false, `retryable is ${e.retryable}`);
      }
      if (op.kind === "create") {
        check(e && GENERATED_ID.test(e.externalTaskId ?? ""), `no externalTaskId on the error (${e?.externalTaskId})`);
        check(posts === 1 && lookups === 0, `sent ${posts} POST(s) and ${lookups} lookup(s), expected 1 and 0`);
        check(newTasks.length === 0, `${newTasks.length} task(s) in the simulator, expected 0`);
        if (op.id === "chain") check(Array.isArray(e?.completed) && e.completed.length === 0, "a chain error without `completed: []`");
      } else {
        const sent = op.id === "iterate" ? listGets : gets;
        const want = op.id === "iterate" ? 2 : 1;
        check(sent === want, `${sent} GET(s), expected ${want} (no retry)`);
        check(newTasks.length === 0, "a read created tasks");
        if (op.id === "iterate") check(seen.length === 2, `the iterator yielded ${seen.length} tasks before failing, expected page 1's 2`);
        if (op.id === "get" || op.id === "wait")
          check(e?.taskId === setup.task.task_id, `taskId ${e?.taskId}, expected ${setup.task.task_id}`);
      }
    } else {
      check(outcome.ok, `expected success, got ${observed.outcome}: ${e?.message}`);
      const value = outcome.ok ? outcome.value : undefined;
      switch (op.id) {
        case "create":
        case "text2video": {
          const family = op.id === "create" ? "video-extend" : "text2video";
          const mine = newTasks.filter((x) => x.family === family);
          check(mine.length === 1, `${mine.length} task(s) in the simulator, expected exactly 1`);
          if (value && mine[0]) {
            check(mine[0].task_id === value.task_id, "the resolved task is not the simulator's");
            check(GENERATED_ID.test(value.task_info?.external_task_id ?? ""), "the task has no generated external_task_id");
            check(mine[0].task_info?.external_task_id === value.task_info?.external_task_id, "external ids differ");
          }
          break;
        }
        case "chain":
          check(
            Array.isArray(value) && value.length === 2 && value.every((x) => x.task_status === "succeed"),
            "the chain did not finish both steps",
          );
          check(newTasks.length === 2, `${newTasks.length} task(s) in the simulator, expected exactly 2`);
          break;
        case "get":
          check(value?.task_id === setup.task.task_id, "another task came back");
          break;
        case "list":
          check(Array.isArray(value) && value.length === 2, `the page holds ${value?.length} tasks, expected 2`);
          break;
        case "iterate": {
          const ids = new Set((value ?? []).map((x) => x.task_id));
          check(value?.length === 3 && ids.size === 3, `iterated ${value?.length} tasks (${ids.size} distinct), expected 3`);
          break;
        }
        case "wait":
          check(value?.task_status === "succeed" && value?.task_id === setup.task.task_id, `the wait resolved ${value?.task_status}`);
          break;
      }
      if (op.kind !== "create") check(newTasks.length === 0, "a read created tasks");

      // Requests: retries, lookups, nothing else.
      const steps = op.id === "chain" ? 2 : 1;
      if (op.kind === "create") {
        const wantPosts = steps + (exp.retries ?? 0) + (exp.lookup === "absent" ? 1 : 0);
        const wantLookups = exp.lookup ? 1 : 0;
        check(
          posts === wantPosts && lookups === wantLookups,
          `sent ${posts} POST(s) and ${lookups} lookup(s), expected ${wantPosts} and ${wantLookups}`,
        );
      } else if (op.id === "get" || op.id === "list") {
        const want = 1 + (exp.retries ?? 0);
        check(gets === want, `${gets} GET(s), expected ${want}`);
      } else if (op.id === "iterate") {
        const want = 2 + (exp.retries ?? 0);
        check(listGets === want, `${listGets} page request(s), expected ${want}`);
      } else if (op.id === "wait") {
        check(gets >= 2 || !exp.tolerated, `${gets} poll(s): the failed poll was not followed by another`);
      }

      // Values the client must keep as Kling sent them.
      const returned = op.id === "iterate" ? (value?.slice(2) ?? []) : op.id === "list" ? (value ?? []) : [value];
      if (exp.keep === "extra") {
        const pool = op.kind === "wait" || op.id === "chain" ? seen : returned;
        check(
          pool.some((x) => x && JSON.stringify(x.x_future_field) === JSON.stringify(EXTRA)),
          "the unknown field was not kept",
        );
      }
      if (exp.keep === "status") {
        check(
          returned.length > 0 && returned.every((x) => x?.task_status === "queued"),
          `status ${returned.map((x) => x?.task_status)} instead of \`queued\``,
        );
      }
      if (exp.keptPolling) {
        check(
          seen.some((x) => x.task_status === "queued"),
          "onProgress never saw the unknown status",
        );
      }
    }
    return { fault: fault.id, op: op.id, expected: describe(exp), observed, problems, ms: Date.now() - t0 };
  } finally {
    await sim.close();
  }
}

const pendingFor = {};
for (const fault of FAULTS) {
  if (fault.needs && !(fault.needs in pendingFor)) {
    pendingFor[fault.needs] = supportsOption(fault.needs, 8 * 1024 * 1024) ? null : `${fault.needs} is not in pkg/ yet`;
  }
}

for (const fault of FAULTS) {
  for (const op of OPERATIONS) {
    const pending = fault.needs ? pendingFor[fault.needs] : null;
    test(cellName(fault, op), pending ? { todo: pending } : {}, async () => {
      const cell = await runCell(fault, op);
      cell.pass = cell.problems.length === 0;
      if (pending) cell.pending = pending;
      cells.push(cell);
      assert.deepEqual(cell.problems, [], `${fault.id} × ${op.id}: observed ${JSON.stringify(cell.observed)}`);
    });
  }
}

after(() => {
  const total = FAULTS.length * OPERATIONS.length;
  writeResults("fault-matrix", {
    complete: cells.length === total,
    durationMs: Date.now() - started,
    counts: {
      cells: cells.length,
      pass: cells.filter((c) => c.pass && !c.pending).length,
      fail: cells.filter((c) => !c.pass && !c.pending).length,
      pending: cells.filter((c) => c.pending).length,
    },
    cells,
  });
});
