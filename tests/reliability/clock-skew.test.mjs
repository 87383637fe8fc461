// Clock skew: the client's clock off from Kling's by minutes, for whole create + wait flows, and a
// skew that changes while a flow runs. Kling refuses a token that is not yet valid (1003) or
// expired (1004); the client must re-sign once per refusal (learning the offset from `Date`),
// never create a task twice, and never fail the flow. Figures go to .tmp/reliability/clock-skew.json.

import assert from "node:assert/strict";
import { after, test } from "node:test";
import { clientFor, SOURCE, settle, startSim, writeResults } from "./support.mjs";

const _EXTEND = "/v1/videos/video-extend";
const MIN = 60_000;
const scenarios = [];

/** Figures of one flow from the simulator's request log. */
function figures(requests) {
  const perOperation = {};
  const refused = {};
  let resigns = 0;
  const unanswered401 = [];
  requests.forEach((r, k) => {
    const op = r.method === "POST" ? "create" : /\/\d+$/.test(r.path) ? "poll" : /\/ke-/.test(r.path) ? "lookup" : "list";
    perOperation[op] = (perOperation[op] ?? 0) + 1;
    if (r.status === 401) {
      resigns++;
      refused[op] = (refused[op] ?? 0) + 1;
      const next = requests.slice(k + 1).find((x) => x.method === r.method && x.path === r.path);
      if (next?.status !== 200) unanswered401.push(`${r.method} ${r.path}`);
    }
  });
  return { requests: requests.length, perOperation, refused, resigns, statuses: requests.map((r) => r.status), unanswered401 };
}

async function scenario(t, { name, skew, timing, flow, maxResigns, minResigns = 1, tasks = 1 }) {
  const sim = await startSim({ clockOffsetMs: skew[0].offsetMs, ...(timing ? { timing } : {}) });
  t.after(() => sim.close());
  const kling = clientFor(sim, { allowRetiredModels: true });
  const started = Date.now();
  // Later skews are applied while the flow runs.
  const timers = skew.slice(1).map((s) => setTimeout(() => sim.configure({ clockOffsetMs: s.offsetMs }), s.atMs));
  const outcome = await settle(flow(kling));
  timers.forEach(clearTimeout);
  const fig = figures(sim.requests());
  // The learnt offset is kept: one more call needs no re-sign.
  const mark = sim.requests().length;
  await kling.extensions.list();
  const afterwards = sim
    .requests()
    .slice(mark)
    .map((r) => r.status);
  const problems = [];
  if (!outcome.ok) problems.push(`the flow failed: ${outcome.error?.code} ${outcome.error?.message}`);
  if (fig.resigns > maxResigns) problems.push(`${fig.resigns} re-signs, expected at most ${maxResigns}`);
  if (fig.resigns < minResigns) problems.push(`${fig.resigns} re-signs: the skew was never noticed (test broken?)`);
  if (fig.unanswered401.length) problems.push(`a 401 not followed by a successful retry: ${fig.unanswered401.join(", ")}`);
  if ((fig.perOperation.create ?? 0) - (fig.refused.create ?? 0) !== tasks) {
    problems.push(`${fig.perOperation.create} POSTs for ${tasks} task(s) (beyond the refused ones)`);
  }
  if (sim.tasks().length !== tasks) problems.push(`${sim.tasks().length} task(s) in the simulator, expected ${tasks}`);
  if (afterwards.join() !== "200") problems.push(`the next call after the flow answered ${afterwards.join(", ")}: the offset was not kept`);
  const record = {
    name,
    skew: skew.map((s) => ({ atMs: s.atMs ?? 0, clientVsServer: describeOffset(s.offsetMs) })),
    outcome: outcome.ok ? "ok" : outcome.error?.code,
    ms: Date.now() - started,
    ...fig,
    maxResigns,
    nextCall: afterwards,
    problems,
    pass: problems.length === 0,
  };
  scenarios.push(record);
  assert.deepEqual(problems, [], JSON.stringify(record));
}

function describeOffset(offsetMs) {
  if (offsetMs === 0) return "in sync";
  // Simulator clock = real + offset: a negative offset puts the client ahead.
  const m = Math.abs(offsetMs) / MIN;
  return offsetMs < 0 ? `client ${m} min ahead` : `client ${m} min behind`;
}

const FAST_WAIT = { pollIntervalMs: 25, timeoutMs: 30_000 };

test("create + wait, client clock 10 minutes ahead: one re-sign (1003), then the offset holds", async (t) => {
  await scenario(t, {
    name: "create + wait, client 10 min ahead",
    skew: [{ offsetMs: -10 * MIN }],
    maxResigns: 1,
    flow: (k) => k.extensions.createAndWait({ video_id: SOURCE, prompt: "skew ahead" }, FAST_WAIT),
  });
});

test("create + wait, client clock 40 minutes behind: one re-sign (1004), then the offset holds", async (t) => {
  await scenario(t, {
    name: "create + wait, client 40 min behind",
    skew: [{ offsetMs: 40 * MIN }],
    maxResigns: 1,
    flow: (k) => k.extensions.createAndWait({ video_id: SOURCE, prompt: "skew behind" }, FAST_WAIT),
  });
});

test("text2video + 2-step chain, client clock 40 minutes behind: one re-sign for the whole flow", async (t) => {
  await scenario(t, {
    name: "text2video + wait + 2-step chain, client 40 min behind",
    skew: [{ offsetMs: 40 * MIN }],
    maxResigns: 1,
    tasks: 3,
    flow: async (k) => {
      // The chain extends the source: only a retired v1.x model makes one.
      const source = await k.textToVideo.create({ prompt: "a lake", model_name: "kling-v1-6" });
      const done = await k.textToVideo.wait(source.task_id, FAST_WAIT);
      return k.extensions.chain({ video_id: done.task_result.videos[0].id, prompts: ["one", "two"] }, FAST_WAIT);
    },
  });
});

test("skew changes mid-wait (in sync → 10 min ahead → 40 min behind): one re-sign per change, the wait goes on", async (t) => {
  await scenario(t, {
    name: "create + wait while the skew changes twice",
    timing: { submittedMs: 600, processingMs: 900 },
    skew: [{ offsetMs: 0 }, { atMs: 300, offsetMs: -10 * MIN }, { atMs: 900, offsetMs: 40 * MIN }],
    minResigns: 2,
    maxResigns: 2,
    flow: (k) => k.extensions.createAndWait({ video_id: SOURCE, prompt: "moving clock" }, { pollIntervalMs: 50, timeoutMs: 30_000 }),
  });
});

test("skew changes between two creates: the refused POST is re-sent once, still one task each", async (t) => {
  await scenario(t, {
    name: "create, skew jumps 10 min (client ahead), create again",
    skew: [{ offsetMs: 0 }, { atMs: 150, offsetMs: -10 * MIN }],
    maxResigns: 1,
    tasks: 2,
    flow: async (k) => {
      await k.extensions.create({ video_id: SOURCE, prompt: "before" });
      await new Promise((r) => setTimeout(r, 300));
      return k.extensions.create({ video_id: SOURCE, prompt: "after" });
    },
  });
});

after(() => {
  writeResults("clock-skew", {
    scenarios,
    counts: { scenarios: scenarios.length, pass: scenarios.filter((s) => s.pass).length, fail: scenarios.filter((s) => !s.pass).length },
  });
});
