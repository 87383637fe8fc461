// The service as an attacker tried it: each finding of that review, reproduced, and what holds now.
// Every test here failed before its fix.

import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { callAs, rawRequest, SOURCE, startPair, until } from "./support.mjs";

const T2V = "/kling/v1/videos/text2video";
const gen = (id, extra = {}) => ({ model_name: "kling-v1-6", prompt: `clip ${id}`, external_task_id: id, ...extra });
const createsAt = (sim) => sim.requests().filter((r) => r.method === "POST" && r.path.startsWith("/v1/videos/"));

test("finding 1: a create refused after its account hold cannot be retried for free past the account cap", async (t) => {
  const { url, sim } = await startPair(t, {
    extra: { USER_DAILY_UNITS: "100", ACCOUNT_DAILY_UNITS: "10" },
    simOptions: { timing: { submittedMs: 60_000, processingMs: 60_000 } },
  });
  // Kling refuses the first send of each id (a definite 1201): the hold is released.
  for (const sub of ["u1", "u2", "u3"]) {
    sim.injectFault({ method: "POST", action: { type: "error", code: 1201 } });
    const refused = await callAs(url, "POST", T2V, sub, gen(`retry-${sub}`));
    assert.equal(refused.status, 400, refused.text);
  }
  // Retried with the same ids, each now a real 2-unit task; then more, until the cap says no.
  let made = 0;
  for (const sub of ["u1", "u2", "u3"]) {
    for (const id of [`retry-${sub}`, `more-${sub}`]) {
      const r = await callAs(url, "POST", T2V, sub, gen(id));
      if (r.status === 200) made++;
      else assert.equal(r.json.error.code, "ERR_BUDGET_EXCEEDED", r.text);
    }
  }
  assert.equal(made, 5, "10 units of account cap, 2 units a task: 5 tasks");
  const me = await callAs(url, "GET", "/me", "u1");
  assert.equal(me.json.remaining, 0);
  assert.equal(createsAt(sim).length, 3 + 5);
});

test("finding 2: Kling's 1303 queues a create instead of deleting its reservation; nobody fills the account's slots outside the gate", async (t) => {
  const { url, sim } = await startPair(t, {
    extra: { KLING_MAX_CONCURRENT_TASKS: "2" },
    simOptions: { timing: { submittedMs: 400, processingMs: 400 } },
  });
  // Three creates by three users against two slots: the third is queued (reserved, not sent).
  const answers = [];
  for (const sub of ["a", "b", "c"]) answers.push(await callAs(url, "POST", T2V, sub, gen(`slot-${sub}`)));
  for (const r of answers) assert.equal(r.status, 200, r.text);
  assert.equal(createsAt(sim).length, 2, "the gate lets two through");
  const queued = answers[2].json.data;
  assert.equal(queued.task_status, "submitted");
  assert.match(queued.task_status_msg, /queued/);
  // Looked up once the first tasks end, it is sent and settles like any other.
  const done = await until(
    async () => {
      const r = await callAs(url, "GET", `${T2V}/slot-c`, "c");
      return r.json?.data?.task_status === "succeed" ? r.json.data : null;
    },
    { timeoutMs: 15_000, interval: 100, what: "the queued create to be sent and succeed" },
  );
  assert.equal(done.task_info.external_task_id, "slot-c");
  assert.equal(createsAt(sim).length, 3);

  // Kling answers 1303 (tasks outside the gate): the reservation stays, the create is queued.
  sim.injectFault({ method: "POST", times: 3, action: { type: "error", code: 1303 } });
  const busy = await callAs(url, "POST", T2V, "d", gen("busy-d"));
  assert.equal(busy.status, 200, busy.text);
  assert.match(busy.json.data.task_status_msg, /queued/);
  const me = await callAs(url, "GET", "/me", "d");
  assert.equal(me.json.reserved, 2, "the reservation is kept, not deleted");
  const sent = await until(
    async () => {
      const r = await callAs(url, "GET", `${T2V}/busy-d`, "d");
      return r.json?.data?.task_status === "succeed" ? r.json.data : null;
    },
    { timeoutMs: 15_000, interval: 100, what: "the 1303'd create to be sent again and succeed" },
  );
  assert.equal(sent.task_info.external_task_id, "busy-d");
});

test("finding 3: a forged callback token opens no user's store (no state for outsiders to grow)", async (t) => {
  const persist = join(process.cwd(), ".tmp", `findings-3-${process.pid}`);
  const { url } = await startPair(t, { persist });
  const objects = async () => {
    const dir = join(persist, "do");
    const names = [];
    for (const ns of await readdir(dir).catch(() => [])) names.push(...(await readdir(join(dir, ns)).catch(() => [])));
    return names.length;
  };
  const before = await objects();
  const hex = (n) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join("");
  for (let i = 0; i < 50; i++) {
    const r = await rawRequest(url, "POST", `/callbacks/${hex(128)}`, {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ task_id: "1", task_status: "succeed" }),
    });
    assert.equal(r.status, 404, r.text);
  }
  assert.equal(await objects(), before, "50 forged tokens made no Durable Object");
});

test("finding 4: a chain its user cannot pay a step of is refused up front; chain lists are bounded and carry no prompts", async (t) => {
  const { url } = await startPair(t, { extra: { USER_DAILY_UNITS: "1" } });
  const broke = await callAs(url, "POST", "/chains", "poor", {
    method: "extend",
    video_id: SOURCE,
    video_duration: 5,
    prompts: ["a", "b"],
  });
  assert.equal(broke.status, 402, broke.text);
  assert.equal(broke.json.error.code, "ERR_BUDGET_EXCEEDED");
  const big = await callAs(url, "GET", "/chains?pageSize=500", "poor");
  assert.equal(big.status, 400, "a page of chains holds at most 50");
  assert.equal(big.json.error.field, "pageSize");
});

test("finding 4: resume is rate-limited like a create", async (t) => {
  const { url } = await startPair(t, { createsPerMinute: 1, simOptions: { failNextTasks: 1 } });
  const started = await callAs(url, "POST", "/chains", "r", { method: "extend", video_id: SOURCE, video_duration: 5, prompts: ["a"] });
  assert.equal(started.status, 202, started.text);
  await until(async () => (await callAs(url, "GET", `/chains/${started.json.id}`, "r")).json.status === "failed", {
    timeoutMs: 15_000,
    interval: 100,
    what: "the chain to fail",
  });
  const resumed = await callAs(url, "POST", `/chains/${started.json.id}/resume`, "r");
  assert.equal(resumed.status, 429, resumed.text);
  assert.equal(resumed.json.error.code, "ERR_RATE_LIMITED");
});

test("finding 5: a clip that cannot be kept does not fail its chain, and is shown as not kept yet", async (t) => {
  // MEDIA_HOSTS names no host of the simulator: the copy into R2 is refused.
  const { url } = await startPair(t, { extra: { MEDIA_HOSTS: "https://*.klingai.com" } });
  const started = await callAs(url, "POST", "/chains", "k", { method: "extend", video_id: SOURCE, video_duration: 5, prompts: ["a", "b"] });
  assert.equal(started.status, 202, started.text);
  const done = await until(
    async () => {
      const c = (await callAs(url, "GET", `/chains/${started.json.id}`, "k")).json;
      if (c.status === "failed") throw new Error(`chain failed: ${JSON.stringify(c.error)}`);
      return c.status === "succeed" ? c : null;
    },
    { timeoutMs: 20_000, interval: 100, what: "the chain to succeed" },
  );
  for (const s of done.steps) {
    assert.equal(s.status, "succeed");
    assert.equal(s.video.kept, false);
    assert.equal(s.video.media_url, undefined);
  }
});

test("finding 7: a pending create resent with other parameters is refused, not matched by its id", async (t) => {
  const { url, sim } = await startPair(t, { simOptions: { timing: { submittedMs: 60_000, processingMs: 60_000 } } });
  // The first send hangs up: the create is in doubt (pending) under its id.
  sim.injectFault({ method: "POST", times: 0, action: { type: "drop-after" } });
  sim.injectFault({ method: "GET", times: 0, action: { type: "error", code: 5000 } });
  const first = await callAs(url, "POST", T2V, "p", gen("same-id", { duration: "5" }));
  assert.equal(first.status, 504, first.text);
  sim.clearFaults();
  const other = await callAs(url, "POST", T2V, "p", gen("same-id", { duration: "10" }));
  assert.equal(other.status, 400, other.text);
  assert.equal(other.json.error.code, "ERR_KLING_BAD_REQUEST");
  assert.equal(other.json.error.field, "external_task_id");
  assert.ok(!sim.requests().some((r) => r.method === "POST" && r.body?.duration === "10"), "nothing of 10 s was sent");
});

test("finding 8: a video of unknown owner cannot be extended (fails closed)", async (t) => {
  const { url, sim } = await startPair(t, { extra: { SHARED_SOURCE_VIDEOS: "" } });
  const r = await callAs(url, "POST", "/extensions", "x", { video_id: SOURCE });
  assert.equal(r.status, 404, r.text);
  assert.equal(r.json.error.code, "ERR_NOT_FOUND");
  const chain = await callAs(url, "POST", "/chains", "x", { method: "extend", video_id: SOURCE, video_duration: 5, prompts: ["a"] });
  assert.equal(chain.status, 404, chain.text);
  assert.equal(createsAt(sim).length, 0);
});

test("finding 9: prices come from the package: a mode named like a prototype property is refused, not priced", async (t) => {
  // Half a unit: anything priced (as `constructor` then `length` once was, at 1) is over budget.
  const { url, sim } = await startPair(t, { extra: { ALLOW_PRO: "true", USER_DAILY_UNITS: "0.5" } });
  for (const [mode, duration] of [
    ["constructor", "length"],
    ["__proto__", "5"],
    ["toString", "length"],
  ]) {
    const r = await callAs(url, "POST", T2V, "m", gen(`proto-${mode}`, { mode, duration }));
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error.code, "ERR_KLING_INVALID_REQUEST");
    assert.equal(r.json.error.field, "mode");
  }
  // A real price: kling-v1-6 pro 10 s is 7 units by the package's table, over the budget.
  const dear = await callAs(url, "POST", T2V, "m", gen("priced", { mode: "pro", duration: "10" }));
  assert.equal(dear.status, 402, dear.text);
  assert.equal(dear.json.error.remaining, 0.5);
  assert.equal(createsAt(sim).length, 0);
});

test("the package's checks run before any reservation: a bad parameter reserves nothing and sends nothing", async (t) => {
  const { url, sim } = await startPair(t);
  const r = await callAs(url, "POST", T2V, "v", gen("bad", { cfg_scale: 7 }));
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.error.field, "cfg_scale");
  const me = await callAs(url, "GET", "/me", "v");
  assert.equal(me.json.reserved, 0);
  assert.equal(sim.requests().length, 0);
});
