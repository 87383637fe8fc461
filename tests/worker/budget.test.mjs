// What it may cost: a create reserves its worst case atomically before anything is sent; the
// reservation is settled to `final_unit_deduction`, or released when Kling refuses the create or
// the task fails; per-user and account budgets; per-user create rate; the model policy.

import assert from "node:assert/strict";
import { cp, mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { bundleOf, callAs, ROOT, SOURCE, startPair, until, WORKER_DIR } from "./support.mjs";

const gen = (id, extra = {}) => ({ model_name: "kling-v1-6", prompt: `clip ${id}`, external_task_id: id, ...extra });
const creates = (sim) => sim.requests().filter((r) => r.method === "POST").length;

/** 20 creates at once for text2video std 5 s (2 units each), by one user or by 20 users. */
async function race(url, users) {
  const answers = await Promise.all(users.map((sub, i) => callAs(url, "POST", "/kling/v1/videos/text2video", sub, gen(`race-${i}`))));
  return { ok: answers.filter((r) => r.status === 200), refused: answers.filter((r) => r.status === 402), all: answers };
}

test("20 concurrent creates racing for a user budget that affords 3: exactly 3 reach Kling", async (t) => {
  const { url, sim } = await startPair(t, {
    extra: { USER_DAILY_UNITS: "6" },
    simOptions: { timing: { submittedMs: 60_000, processingMs: 60_000 } },
  });
  const { ok, refused, all } = await race(url, Array(20).fill("racer"));
  assert.equal(ok.length, 3, all.map((r) => r.status).join(","));
  assert.equal(refused.length, 17);
  for (const r of refused) {
    assert.equal(r.json.error.code, "ERR_BUDGET_EXCEEDED");
    assert.equal(r.json.code, 1102, "Kling's code for an exhausted pack, so the package never retries");
    assert.equal(typeof r.json.error.remaining, "number");
  }
  assert.equal(creates(sim), 3);
  const me = await callAs(url, "GET", "/me", "racer");
  assert.deepEqual({ ...me.json, day: undefined }, { user: "racer", day: undefined, budget: 6, reserved: 6, spent: 0, remaining: 0 });
  // One more: refused before Kling, the simulator's request count unchanged.
  const before = sim.requests().length;
  const over = await callAs(url, "POST", "/extensions", "racer", { video_id: SOURCE });
  assert.equal(over.status, 402, over.text);
  assert.deepEqual(over.json.error, { code: "ERR_BUDGET_EXCEEDED", message: over.json.error.message, remaining: 0 });
  assert.equal(sim.requests().length, before);
});

test("20 users racing for an account cap that affords 3: exactly 3 reach Kling", async (t) => {
  const { url, sim } = await startPair(t, {
    extra: { USER_DAILY_UNITS: "100", ACCOUNT_DAILY_UNITS: "6" },
    simOptions: { timing: { submittedMs: 60_000, processingMs: 60_000 } },
  });
  const { ok, refused } = await race(
    url,
    Array.from({ length: 20 }, (_, i) => `user-${i}`),
  );
  assert.equal(ok.length, 3);
  assert.equal(refused.length, 17);
  assert.equal(creates(sim), 3);
  // A refused user's own reservation was given back: their /me shows nothing reserved.
  const loser = refused[0];
  assert.equal(loser.json.error.remaining, 0);
  const reserved = await Promise.all(Array.from({ length: 20 }, (_, i) => callAs(url, "GET", "/me", `user-${i}`)));
  assert.equal(
    reserved.reduce((sum, r) => sum + r.json.reserved, 0),
    6,
  );
});

test("without the atomic reservation the same race overspends (the test above can fail)", async (t) => {
  // A mutant of the Worker whose user store checks the budget, yields, then writes.
  const dir = join(ROOT, `.tmp/worker-mutant-${process.pid}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  t.after(() => rm(dir, { recursive: true, force: true }));
  await cp(join(WORKER_DIR, "src"), join(dir, "src"), { recursive: true });
  await cp(join(WORKER_DIR, "wrangler.toml"), join(dir, "wrangler.toml"));
  await cp(join(WORKER_DIR, "package.json"), join(dir, "package.json"));
  await symlink(join(WORKER_DIR, "node_modules"), join(dir, "node_modules"));
  const file = join(dir, "src/user-store.js");
  const source = await readFile(file, "utf8");
  const mutated = source
    .replace("  reserve(a) {", "  async reserve(a) {")
    .replace("    if (a.cost > remaining) return", "    await new Promise((r) => setTimeout(r, 20));\n    if (a.cost > remaining) return");
  assert.notEqual(mutated, source);
  await writeFile(file, mutated);
  const bundle = await bundleOf(dir);
  const { url, sim } = await startPair(t, {
    bundle,
    extra: { USER_DAILY_UNITS: "6" },
    simOptions: { timing: { submittedMs: 60_000, processingMs: 60_000 } },
  });
  const { ok } = await race(url, Array(20).fill("racer"));
  assert.ok(ok.length > 3, `the check-then-write store let ${ok.length} through`);
  assert.ok(creates(sim) > 3);
});

test("a failed task's reservation is released; Kling's refusal of a create releases it too", async (t) => {
  const { url, sim } = await startPair(t, { extra: { USER_DAILY_UNITS: "2" } });
  const failing = await callAs(url, "POST", "/kling/v1/videos/text2video", "u", gen("f1", { prompt: "[fail] please" }));
  assert.equal(failing.status, 200, failing.text);
  assert.equal((await callAs(url, "GET", "/me", "u")).json.reserved, 2);
  // The budget is held while it runs: a second create is refused.
  assert.equal((await callAs(url, "POST", "/kling/v1/videos/text2video", "u", gen("f2"))).status, 402);
  await until(async () => (await callAs(url, "GET", "/kling/v1/videos/text2video/f1", "u")).json.data.task_status === "failed", {
    what: "the task to fail",
  });
  const me = await callAs(url, "GET", "/me", "u");
  assert.equal(me.json.reserved, 0);
  assert.equal(me.json.spent, 0, "Kling does not charge failed tasks");
  assert.equal(me.json.remaining, 2);

  // Kling refuses a create (an unknown source video): nothing stays reserved.
  sim.injectFault({ method: "POST", path: "/v1/videos/text2video", action: { type: "error", code: 1301 } });
  const refused = await callAs(url, "POST", "/kling/v1/videos/text2video", "u", gen("f3"));
  assert.equal(refused.status, 400, refused.text);
  assert.equal(refused.json.error.code, "ERR_KLING_POLICY");
  assert.equal((await callAs(url, "GET", "/me", "u")).json.reserved, 0);
  // And the units are there for the next one.
  assert.equal((await callAs(url, "POST", "/kling/v1/videos/text2video", "u", gen("f4"))).status, 200);
});

test("spent equals the sum of final_unit_deduction; the reservation was the worst case", async (t) => {
  const { url, sim } = await startPair(t, { extra: { USER_DAILY_UNITS: "50", ALLOW_PRO: "true" } });
  const made = [];
  for (const [id, extra] of [
    ["s1", {}],
    ["s2", { duration: "10" }],
    ["s3", { mode: "pro" }],
  ]) {
    const r = await callAs(url, "POST", "/kling/v1/videos/text2video", "payer", gen(id, extra));
    assert.equal(r.status, 200, r.text);
    made.push(r.json.data.task_id);
  }
  assert.equal((await callAs(url, "GET", "/me", "payer")).json.reserved, 2 + 4 + 3.5);
  const videos = [];
  for (const id of made) {
    const done = await until(
      async () => {
        const r = await callAs(url, "GET", `/kling/v1/videos/text2video/${id}`, "payer");
        return r.json.data.task_status === "succeed" ? r.json.data : null;
      },
      { what: `task ${id}` },
    );
    videos.push(done.task_result.videos[0].id);
  }
  // An extension of a known pro source is reserved at the pro price, of a std source at std.
  const ext = await callAs(url, "POST", "/extensions", "payer", { video_id: videos[0] });
  assert.equal(ext.status, 202, ext.text);
  assert.equal((await callAs(url, "GET", "/me", "payer")).json.reserved, 2);
  await until(
    async () =>
      (await callAs(url, "GET", `/kling/v1/videos/video-extend/${ext.json.task_id}`, "payer")).json.data.task_status === "succeed",
    { what: "the extension" },
  );
  const charged = sim.tasks().reduce((sum, task) => sum + Number(task.final_unit_deduction ?? 0), 0);
  assert.ok(charged > 0);
  const me = (await callAs(url, "GET", "/me", "payer")).json;
  assert.equal(me.spent, charged);
  assert.equal(me.reserved, 0);
  assert.equal(me.remaining, 50 - charged);
});

test("per-user create rate: over USER_CREATES_PER_MINUTE is 429 with Retry-After, nothing sent; others unaffected", async (t) => {
  const { url, sim } = await startPair(t, { createsPerMinute: 2 });
  assert.equal((await callAs(url, "POST", "/kling/v1/videos/text2video", "fast", gen("r1"))).status, 200);
  assert.equal((await callAs(url, "POST", "/extensions", "fast", { video_id: SOURCE })).status, 202);
  const limited = await callAs(url, "POST", "/extensions", "fast", { video_id: SOURCE });
  assert.equal(limited.status, 429, limited.text);
  assert.equal(limited.json.error.code, "ERR_RATE_LIMITED");
  assert.ok(Number(limited.headers["retry-after"]) > 0);
  assert.equal(creates(sim), 2);
  assert.equal((await callAs(url, "GET", "/me", "fast")).json.reserved, 2 + 3.5, "the limited create reserved nothing");
  assert.equal((await callAs(url, "POST", "/extensions", "slow", { video_id: SOURCE })).status, 202);
});

test("the facade creates only the configured models, std mode unless ALLOW_PRO; nothing else is sent", async (t) => {
  const { url, sim } = await startPair(t);
  const refusals = [
    [{ prompt: "no model" }, "model_name"],
    [{ model_name: "kling-v1", prompt: "x" }, "model_name"],
    [{ model_name: "kling-v2-master", prompt: "x" }, "model_name"],
    [{ model_name: "kling-v1-6", prompt: "x", mode: "pro" }, "mode"],
    [{ model_name: "kling-v1-6", prompt: "x", duration: "7" }, "duration"],
  ];
  for (const [body, field] of refusals) {
    const r = await callAs(url, "POST", "/kling/v1/videos/text2video", "m", body);
    assert.equal(r.status, 400, `${JSON.stringify(body)} → ${r.text}`);
    assert.equal(r.json.error.code, "ERR_KLING_INVALID_REQUEST");
    assert.equal(r.json.error.field, field);
    assert.equal(r.json.code, 1201);
  }
  assert.equal(sim.requests().length, 0);
  assert.equal((await callAs(url, "GET", "/me", "m")).json.reserved, 0);
});
