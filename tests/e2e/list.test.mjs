import assert from "node:assert/strict";
import { test } from "node:test";
import { apiRequests, clientFor, rejectionOf, SOURCE, startSim } from "./support.mjs";

test("extensions.list pages and extensions.list() iterates over every task", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const kling = clientFor(sim);
  const ids = [];
  for (let i = 0; i < 7; i++) ids.push((await kling.extensions.create({ video_id: SOURCE })).task_id);
  const first = await kling.extensions.list({ pageNum: 1, pageSize: 3 });
  const last = await kling.extensions.list({ pageNum: 3, pageSize: 3 });
  assert.equal(first.length, 3);
  assert.equal(last.length, 1);
  assert.equal(first[0].task_id, ids.at(-1), "newest first");
  const before = apiRequests(sim, "GET", "video-extend").length;
  const all = [];
  for await (const task of kling.extensions.list({ pageSize: 3 })) all.push(task.task_id);
  assert.deepEqual(all.sort(), [...ids].sort());
  assert.equal(apiRequests(sim, "GET", "video-extend").length - before, 3, "pages 1, 2 and the short page 3");
});

test("breaking out of the iterator stops fetching", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const kling = clientFor(sim);
  for (let i = 0; i < 4; i++) await kling.extensions.create({ video_id: SOURCE });
  const before = sim.requests().length;
  for await (const task of kling.extensions.list({ pageSize: 2 })) {
    assert.ok(task.task_id);
    break;
  }
  assert.equal(sim.requests().length - before, 1);
});

test("list() fetches its page once when awaited, and for await walks on from that page", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const kling = clientFor(sim);
  const ids = [];
  for (let i = 0; i < 5; i++) ids.push((await kling.extensions.create({ video_id: SOURCE })).task_id);
  const gets = () => apiRequests(sim, "GET", "video-extend").length;
  const listing = kling.extensions.list({ pageNum: 2, pageSize: 2 });
  assert.equal(gets(), 0, "nothing is fetched until the page is awaited or iterated");
  const page = await listing;
  assert.deepEqual(
    page.map((task) => task.task_id),
    [ids[2], ids[1]],
  );
  await listing.then((again) => assert.deepEqual(again, page));
  assert.equal(gets(), 1, "awaited twice, fetched once");
  const rest = [];
  for await (const task of listing) rest.push(task.task_id);
  assert.deepEqual(rest, [ids[2], ids[1], ids[0]], "pages 2 and 3, newest first");
  assert.equal(kling.extensions, kling.extensions, "one resource object per client");
  const e = await rejectionOf(kling.textToVideo.list({ pageSize: 0 }));
  assert.equal(e.code, "ERR_KLING_INVALID_REQUEST");
});
