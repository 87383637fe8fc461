import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import { DEFAULT_PACKS } from "../lib/account.mjs";
import { api, SAMPLE, startFast, waitForTask } from "../test-support/helpers.mjs";

const DAY = 24 * 60 * 60 * 1000;
let sim;
before(async () => {
  sim = await startFast();
});
beforeEach(() => {
  sim.reset();
  sim.configureResourcePacks(DEFAULT_PACKS);
});
after(() => sim.close());

const costs = (query, options) => api(sim, "GET", `/account/costs?${new URLSearchParams(query)}`, undefined, options);
const always = () => ({ start_time: 0, end_time: sim.now() + 400 * DAY });

test("GET /account/costs answers the double envelope with the default pack", async () => {
  const { status, body, headers } = await costs(always());
  assert.equal(status, 200);
  assert.equal(body.code, 0);
  assert.equal(body.request_id, headers.get("x-request-id"));
  assert.deepEqual(Object.keys(body.data), ["code", "msg", "resource_pack_subscribe_infos"]);
  assert.equal(body.data.code, 0);
  const [pack] = body.data.resource_pack_subscribe_infos;
  assert.deepEqual(Object.keys(pack), [
    "resource_pack_name",
    "resource_pack_id",
    "resource_pack_type",
    "total_quantity",
    "remaining_quantity",
    "purchase_time",
    "effective_time",
    "invalid_time",
    "status",
  ]);
  assert.equal(pack.resource_pack_name, "Video Generation Pack");
  assert.equal(pack.resource_pack_type, "decreasing_total");
  assert.equal(pack.total_quantity, 1000);
  assert.equal(pack.remaining_quantity, 1000);
  assert.equal(pack.status, "online");
  assert.ok(pack.effective_time < sim.now() && sim.now() < pack.invalid_time);
});

test("remaining_quantity falls by final_unit_deduction as tasks succeed; failed tasks cost nothing", async () => {
  const ok = await api(sim, "POST", "/v1/videos/video-extend", { video_id: SAMPLE.v16 });
  const done = await waitForTask(sim, "video-extend", ok.body.data.task_id);
  const failed = await api(sim, "POST", "/v1/videos/video-extend", { video_id: SAMPLE.v16, prompt: "[fail]" });
  await waitForTask(sim, "video-extend", failed.body.data.task_id);
  const { body } = await costs(always());
  assert.equal(body.data.resource_pack_subscribe_infos[0].remaining_quantity, 1000 - Number(done.final_unit_deduction));
});

test("charges are taken from the pack that expires first, and a spent pack is runOut", async () => {
  const now = sim.now();
  sim.configureResourcePacks([
    { name: "long", total: 100, effectiveTime: now - DAY, invalidTime: now + 300 * DAY },
    { name: "short", total: 1, type: "constant_period", effectiveTime: now - DAY, invalidTime: now + DAY },
    { name: "later", total: 5, effectiveTime: now + 10 * DAY },
    { name: "old", total: 5, effectiveTime: now - 100 * DAY, invalidTime: now - 50 * DAY },
  ]);
  const created = await api(sim, "POST", "/v1/videos/video-extend", { video_id: SAMPLE.v16 });
  await waitForTask(sim, "video-extend", created.body.data.task_id); // charged 2
  const { body } = await costs({ start_time: 0, end_time: now + 400 * DAY });
  const byName = Object.fromEntries(body.data.resource_pack_subscribe_infos.map((p) => [p.resource_pack_name, p]));
  assert.equal(byName.short.remaining_quantity, 0);
  assert.equal(byName.short.status, "runOut");
  assert.equal(byName.short.resource_pack_type, "constant_period");
  assert.equal(byName.long.remaining_quantity, 99);
  assert.equal(byName.later.status, "toBeOnline");
  assert.equal(byName.old.status, "expired");
  assert.equal(byName.old.remaining_quantity, 5);
});

test("the time range and resource_pack_name select packs", async () => {
  const now = sim.now();
  sim.configureResourcePacks([
    { name: "a", total: 1, effectiveTime: now - 10 * DAY, invalidTime: now - 5 * DAY },
    { name: "b", total: 1, effectiveTime: now - DAY, invalidTime: now + DAY },
  ]);
  const names = async (query) => (await costs(query)).body.data.resource_pack_subscribe_infos.map((p) => p.resource_pack_name);
  assert.deepEqual(await names({ start_time: now - 20 * DAY, end_time: now }), ["a", "b"]);
  assert.deepEqual(await names({ start_time: now - 2 * DAY, end_time: now }), ["b"]);
  assert.deepEqual(await names({ start_time: now - 20 * DAY, end_time: now, resource_pack_name: "a" }), ["a"]);
  assert.deepEqual(await names({ start_time: now - 20 * DAY, end_time: now, resource_pack_name: "zzz" }), []);
});

test("start_time and end_time are required whole milliseconds, start not after end (400/1201)", async () => {
  for (const query of [
    {},
    { start_time: 1 },
    { end_time: 1 },
    { start_time: "x", end_time: 2 },
    { start_time: "1.5", end_time: 2 },
    { start_time: -1, end_time: 2 },
    { start_time: 5, end_time: 4 },
  ]) {
    const { status, body } = await costs(query);
    assert.equal(status, 400, JSON.stringify(query));
    assert.equal(body.code, 1201);
    assert.equal(body.data, undefined);
  }
});

test("/account/costs is authenticated like every API route and answers only GET", async () => {
  const denied = await costs(always(), { token: null });
  assert.equal(denied.status, 401);
  assert.equal(denied.body.code, 1001);
  const post = await api(sim, "POST", "/account/costs", {});
  assert.equal(post.status, 404);
  assert.equal(post.body.code, 1202);
});

test("packs are configured from the options, the simulator object and the control endpoint", async () => {
  const other = await startFast({ resourcePacks: [{ name: "x", total: 7 }] });
  try {
    assert.deepEqual(
      other.resourcePacks().map((p) => [p.resource_pack_name, p.remaining_quantity]),
      [["x", 7]],
    );
  } finally {
    await other.close();
  }
  const set = await fetch(`${sim.url}/__sim/resource-packs`, { method: "POST", body: JSON.stringify([{ name: "y", total: 3 }]) });
  assert.equal(set.status, 200);
  assert.equal((await set.json())[0].resource_pack_name, "y");
  const bad = await fetch(`${sim.url}/__sim/resource-packs`, { method: "POST", body: JSON.stringify([{ name: "", total: 3 }]) });
  assert.equal(bad.status, 400);
  assert.equal(sim.resourcePacks()[0].resource_pack_name, "y");
  assert.throws(() => sim.configureResourcePacks([{ name: "z", total: 1, type: "monthly" }]), TypeError);
});
