// Repeated, late and out-of-order callbacks never move a task backwards.

import assert from "node:assert/strict";
import { test } from "node:test";
import { Webhook } from "standardwebhooks";
import { callbacksSettled, getRecord, postJson, rawRequest, SOURCE, startPair, untilStatus, WEBHOOK_SECRET } from "./support.mjs";

function signedHeaders(body) {
  const id = `msg_${Math.random().toString(36).slice(2)}`;
  const now = new Date();
  return {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
    "webhook-signature": new Webhook(WEBHOOK_SECRET).sign(id, now, body),
  };
}

test("replaying the simulator's earlier signed callbacks after succeed leaves the task succeeded", async (t) => {
  const { url, sim } = await startPair(t, { webhookSecret: WEBHOOK_SECRET });
  const record = JSON.parse((await postJson(`${url}/extensions`, { video_id: SOURCE })).text);
  const done = await untilStatus(url, record.task_id, "succeed");
  const deliveries = await callbacksSettled(sim, 3);
  const path = new URL(deliveries[0].url).pathname;
  // The exact deliveries again (valid signatures, still within tolerance), late and in reverse order…
  const replay = (d) => rawRequest(url, "POST", path, { headers: d.headers, body: JSON.stringify(d.body) });
  for (const d of [...deliveries].reverse()) {
    const r = await replay(d);
    assert.equal(r.status, 204, `${d.task_status}: ${r.text}`);
    assert.deepEqual((await getRecord(url, record.task_id)).body, done, `after replaying ${d.task_status}`);
  }
  // …and all at once, several times over.
  const burst = await Promise.all(Array.from({ length: 4 }, () => deliveries.slice(0, 2).map(replay)).flat());
  assert.ok(burst.every((r) => r.status === 204));
  assert.deepEqual((await getRecord(url, record.task_id)).body, done);
});

test("within a status an older updated_at is ignored; a lower status never wins; a failure is final", async (t) => {
  const { url, sim } = await startPair(t, {
    webhookSecret: WEBHOOK_SECRET,
    simOptions: { timing: { submittedMs: 50, processingMs: 60_000 } },
  });
  const record = JSON.parse((await postJson(`${url}/extensions`, { video_id: SOURCE })).text);
  const processing = await untilStatus(url, record.task_id, "processing");
  await callbacksSettled(sim, 2);
  const path = new URL(sim.callbacks()[0].url).pathname;
  const klingId = sim.tasks().find((x) => x.task_id === record.task_id).task_info.external_task_id;
  const send = async (fields) => {
    const body = JSON.stringify({ task_id: record.task_id, task_info: { external_task_id: klingId }, ...fields });
    const r = await rawRequest(url, "POST", path, { headers: signedHeaders(body), body });
    assert.equal(r.status, 204, r.text);
    return (await getRecord(url, record.task_id)).body;
  };
  const t0 = processing.updated_at;

  let now = await send({ task_status: "processing", updated_at: t0 + 1000 });
  assert.equal(now.updated_at, t0 + 1000, "a newer update of the same status is taken");
  now = await send({ task_status: "processing", updated_at: t0 + 500 });
  assert.equal(now.updated_at, t0 + 1000, "an older one is not");
  now = await send({ task_status: "submitted", updated_at: t0 + 5000 });
  assert.equal(now.status, "processing", "submitted after processing is ignored, whatever its time");
  now = await send({ task_status: "failed", task_status_msg: "boom", updated_at: t0 + 900 });
  assert.equal(now.status, "processing", "older than the current record: ignored");
  now = await send({ task_status: "failed", task_status_msg: "boom", updated_at: t0 + 2000 });
  assert.equal(now.status, "failed");
  assert.equal(now.message, "boom");
  now = await send({ task_status: "processing", updated_at: t0 + 9000 });
  assert.equal(now.status, "failed", "nothing comes after a final status");
  assert.equal(now.updated_at, t0 + 2000);
});

test("racing callbacks (processing and succeed at once) settle on succeed", async (t) => {
  const { url, sim } = await startPair(t, {
    webhookSecret: WEBHOOK_SECRET,
    simOptions: { timing: { submittedMs: 50, processingMs: 60_000 } },
  });
  const record = JSON.parse((await postJson(`${url}/extensions`, { video_id: SOURCE })).text);
  const processing = await untilStatus(url, record.task_id, "processing");
  await callbacksSettled(sim, 2);
  const path = new URL(sim.callbacks()[0].url).pathname;
  const klingId = sim.tasks().find((x) => x.task_id === record.task_id).task_info.external_task_id;
  const body = (status, dt) =>
    JSON.stringify({
      task_id: record.task_id,
      task_status: status,
      task_info: { external_task_id: klingId },
      ...(status === "succeed" ? { task_result: { videos: [{ id: "9", url: "https://example.test/9.mp4", duration: "10" }] } } : {}),
      updated_at: processing.updated_at + dt,
    });
  const bodies = [];
  for (let i = 0; i < 6; i++) bodies.push(body("processing", 100 + i), body("submitted", 50), body("succeed", 500));
  const answers = await Promise.all(bodies.map((b) => rawRequest(url, "POST", path, { headers: signedHeaders(b), body: b })));
  assert.ok(answers.every((r) => r.status === 204));
  const final = (await getRecord(url, record.task_id)).body;
  assert.equal(final.status, "succeed");
  assert.equal(final.video.id, "9");
});
