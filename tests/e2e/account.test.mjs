// kling.account.costs against the simulator: the resource packs, charges and validation.

import assert from "node:assert/strict";
import { test } from "node:test";
import { apiRequests, clientFor, FAST, rejectionOf, SOURCE, startSim } from "./support.mjs";

const DAY = 24 * 60 * 60 * 1000;

test("account.costs resolves the packs, and what remains falls as extensions are charged", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const kling = clientFor(sim);
  assert.equal(kling.account, kling.account);
  const range = { start_time: sim.now() - 30 * DAY, end_time: sim.now() };
  const before = await kling.account.costs(range);
  assert.equal(before.code, 0);
  assert.equal(typeof before._request_id, "string");
  assert.ok(!Object.keys(before).includes("_request_id"));
  const [pack] = before.resource_pack_subscribe_infos;
  assert.equal(pack.resource_pack_type, "decreasing_total");
  assert.equal(pack.status, "online");
  const done = await kling.extensions.createAndWait({ video_id: SOURCE }, FAST);
  const after = await kling.account.costs({ ...range, resource_pack_name: pack.resource_pack_name });
  assert.equal(after.resource_pack_subscribe_infos[0].remaining_quantity, pack.remaining_quantity - Number(done.final_unit_deduction));
  const [request] = apiRequests(sim, "GET", "/account/costs").slice(-1);
  assert.deepEqual(request.query, {
    ...Object.fromEntries(Object.entries(range).map(([k, v]) => [k, String(v)])),
    resource_pack_name: pack.resource_pack_name,
  });
});

test("account.costs checks its parameters before sending, and retries an inner 1302", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const kling = clientFor(sim);
  for (const [params, field] of [
    [{ start_time: 2, end_time: 1 }, "end_time"],
    [{ start_time: 1.5, end_time: 2 }, "start_time"],
    [{ end_time: 2 }, "start_time"],
    [{ start_time: 0, end_time: 1, resource_pack_name: "" }, "resource_pack_name"],
    [{ start_time: 0, end_time: 1, extra: 1 }, "extra"],
  ]) {
    const e = await rejectionOf(kling.account.costs(params));
    assert.equal(e.code, "ERR_KLING_INVALID_REQUEST");
    assert.equal(e.field, field);
  }
  assert.equal(apiRequests(sim, "GET", "/account/costs").length, 0);
  sim.injectFault({ path: "/account/costs", action: { type: "error", code: 1302 } });
  const answer = await kling.account.costs({ start_time: 0, end_time: sim.now() });
  assert.equal(answer.code, 0);
  assert.equal(apiRequests(sim, "GET", "/account/costs").length, 2);
});
