import { test } from "node:test";
import assert from "node:assert/strict";
import { startSim, clientFor, SOURCE, apiRequests } from "./support.mjs";

test("listExtensions pages and extensions() iterates over every task", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const kling = clientFor(sim);
  const ids = [];
  for (let i = 0; i < 7; i++) ids.push((await kling.extendVideo({ video_id: SOURCE })).task_id);
  const first = await kling.listExtensions({ pageNum: 1, pageSize: 3 });
  const last = await kling.listExtensions({ pageNum: 3, pageSize: 3 });
  assert.equal(first.length, 3);
  assert.equal(last.length, 1);
  assert.equal(first[0].task_id, ids.at(-1), "newest first");
  const before = apiRequests(sim, "GET", "video-extend").length;
  const all = [];
  for await (const task of kling.extensions({ pageSize: 3 })) all.push(task.task_id);
  assert.deepEqual(all.sort(), [...ids].sort());
  assert.equal(apiRequests(sim, "GET", "video-extend").length - before, 3, "pages 1, 2 and the short page 3");
});

test("breaking out of the iterator stops fetching", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const kling = clientFor(sim);
  for (let i = 0; i < 4; i++) await kling.extendVideo({ video_id: SOURCE });
  const before = sim.requests().length;
  for await (const task of kling.extensions({ pageSize: 2 })) {
    assert.ok(task.task_id);
    break;
  }
  assert.equal(sim.requests().length - before, 1);
});
