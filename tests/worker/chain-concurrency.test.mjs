// The account's concurrency gate: 30 chains × 3 steps from 3 users, KLING_MAX_CONCURRENT_TASKS=5
// and the simulator capped at 5 — every chain completes, Kling never answers 1303, peak 5 running.

import assert from "node:assert/strict";
import { test } from "node:test";
import { auth, getJson, startChain, startPair, until, WEBHOOK_SECRET } from "./support.mjs";

test("30 chains from 3 users through one gate of 5 slots: all complete, 0 × 1303, peak 5", async (t) => {
  const { url, sim } = await startPair(t, {
    webhookSecret: WEBHOOK_SECRET,
    extra: { KLING_MAX_CONCURRENT_TASKS: "5" },
    // Tasks long enough beside the step-to-step overhead that the five slots stay full.
    simOptions: { maxConcurrentTasks: 5, timing: { submittedMs: 100, processingMs: 600 } },
  });
  const users = ["ana@example.test", "bo@example.test", "cy@example.test"];
  const headers = Object.fromEntries(await Promise.all(users.map(async (u) => [u, await auth(u)])));
  // Posted one after another (each answers 202 at once), so the 30 chains run side by side while
  // the test's own connections stay few.
  const chains = [];
  for (let i = 0; i < 30; i++) chains.push({ ...(await startChain(url, {}, headers[users[i % 3]])), user: users[i % 3] });
  await until(
    async () => {
      const lists = await Promise.all(users.map((u) => getJson(`${url}/chains?pageSize=50`, headers[u])));
      const all = lists.flatMap((l) => l.body.data);
      const failed = all.find((c) => c.status === "failed");
      if (failed) throw new Error(`a chain failed: ${JSON.stringify(failed.error)}`);
      return all.length === 30 && all.every((c) => c.status === "succeed");
    },
    { timeoutMs: 180_000, interval: 500, what: "30 chains to succeed" },
  );
  for (const u of users) {
    const mine = (await getJson(`${url}/chains?pageSize=50`, headers[u])).body.data;
    assert.deepEqual(
      mine.map((c) => c.id).sort(),
      chains
        .filter((c) => c.user === u)
        .map((c) => c.id)
        .sort(),
      "each user sees their own",
    );
    for (const c of mine)
      assert.deepEqual(
        c.steps.map((s) => s.duration),
        [10, 15, 20],
      );
  }
  const tasks = sim.tasks().filter((x) => x.family === "video-extend");
  assert.equal(tasks.length, 90);
  const refused = sim.requests().filter((r) => r.status === 429);
  assert.equal(refused.length, 0, "Kling never answered 1303");
  // Peak running at Kling, from the tasks' own times (created → ended).
  const edges = tasks
    .flatMap((x) => [
      [x.created_at, 1],
      [x.updated_at, -1],
    ])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let peak = 0;
  for (const [, d] of edges) {
    running += d;
    peak = Math.max(peak, running);
  }
  assert.equal(peak, 5);
});
