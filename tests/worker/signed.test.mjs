// KLING_WEBHOOK_SECRET set: the simulator's Standard-Webhooks-signed callbacks are verified and
// applied; forged ones are refused and change nothing.

import assert from "node:assert/strict";
import { test } from "node:test";
import { Webhook } from "standardwebhooks";
import { callbacksSettled, getRecord, postJson, rawRequest, SOURCE, startPair, untilStatus, WEBHOOK_SECRET } from "./support.mjs";

const OTHER_SECRET = `whsec_${Buffer.from("a different webhook key entirely").toString("base64")}`;

/** Signed headers for `body` made with the independent `standardwebhooks` implementation. */
function signed(secret, body, { id = `msg_${Math.random().toString(36).slice(2)}`, at = new Date() } = {}) {
  const signature = new Webhook(secret).sign(id, at, body);
  return {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": signature,
  };
}

test("signed callbacks from the simulator are verified and bring the record to succeed with its video", async (t) => {
  const { url, sim } = await startPair(t, { webhookSecret: WEBHOOK_SECRET });
  const created = await postJson(`${url}/extensions`, { video_id: SOURCE, prompt: "A fox runs by" });
  assert.equal(created.status, 202, created.text);
  const record = JSON.parse(created.text);
  assert.match(record.task_id, /^\d+$/);
  assert.match(record.external_task_id, /^kew-[0-9a-f]{24}$/);
  assert.ok(["submitted", "processing"].includes(record.status));

  const done = await untilStatus(url, record.task_id, "succeed");
  const simTask = sim.tasks().find((x) => x.task_id === record.task_id);
  assert.equal(done.video.id, simTask.task_result.videos[0].id);
  assert.equal(done.video.url, simTask.task_result.videos[0].url);
  assert.equal(done.video.duration, "10");
  assert.equal(done.updated_at, simTask.updated_at);
  // Also by external task id.
  assert.deepEqual((await getRecord(url, record.external_task_id)).body, done);

  const deliveries = await callbacksSettled(sim, 3);
  assert.deepEqual(
    deliveries.map((d) => d.task_status),
    ["submitted", "processing", "succeed"],
  );
  for (const d of deliveries) {
    assert.equal(d.status, 204, `callback ${d.task_status} answered ${d.status}`);
    assert.ok(d.headers["webhook-signature"].startsWith("v1,"), "the simulator signed it");
  }
  // The signature is the proof: no GET was needed to confirm.
  assert.equal(sim.requests().filter((r) => r.method === "GET").length, 0);
  // The callback URL carries a 256-bit hex token on this Worker's origin; no answer shows it.
  assert.match(deliveries[0].url, new RegExp(`^${url}/callbacks/[0-9a-f]{128}$`));
  const token = deliveries[0].url.split("/").pop();
  const answers = created.text + JSON.stringify([...created.headers]) + JSON.stringify(done);
  for (const secret of [token, WEBHOOK_SECRET, WEBHOOK_SECRET.slice(6)]) assert.ok(!answers.includes(secret));
});

test("forged callbacks (bad signature, wrong secret, stale, tampered, unsigned, unknown token) are refused", async (t) => {
  // A task that stays `processing` long enough to be lied about.
  const { url, sim } = await startPair(t, {
    webhookSecret: WEBHOOK_SECRET,
    simOptions: { timing: { submittedMs: 50, processingMs: 60_000 } },
  });
  const created = JSON.parse((await postJson(`${url}/extensions`, { video_id: SOURCE })).text);
  const before = await untilStatus(url, created.task_id, "processing");
  const [delivery] = await callbacksSettled(sim, 2);
  const callbackPath = new URL(delivery.url).pathname;
  const lie = JSON.stringify({
    ...sim.tasks().find((x) => x.task_id === created.task_id),
    family: undefined,
    task_status: "succeed",
    task_result: { videos: [{ id: "666", url: "https://evil.example/x.mp4", duration: "10" }] },
    updated_at: Date.now() + 1000,
  });
  const valid = signed(WEBHOOK_SECRET, lie);

  const attempts = {
    "bad signature": { ...valid, "webhook-signature": `v1,${Buffer.alloc(32, 7).toString("base64")}` },
    "wrong secret": signed(OTHER_SECRET, lie),
    "stale timestamp": signed(WEBHOOK_SECRET, lie, { at: new Date(Date.now() - 10 * 60_000) }),
    "future timestamp": signed(WEBHOOK_SECRET, lie, { at: new Date(Date.now() + 10 * 60_000) }),
    "replayed headers of another body": { ...delivery.headers },
    "no signature headers": { "content-type": "application/json" },
  };
  for (const [name, headers] of Object.entries(attempts)) {
    const r = await rawRequest(url, "POST", callbackPath, { headers, body: lie });
    assert.equal(r.status, 401, `${name}: ${r.status} ${r.text}`);
  }
  const unknownToken = `/callbacks/${callbackPath.slice(11, 75)}${"ab".repeat(32)}`;
  assert.equal((await rawRequest(url, "POST", unknownToken, { headers: valid, body: lie })).status, 404);
  assert.equal((await rawRequest(url, "POST", "/callbacks/short", { headers: valid, body: lie })).status, 404);
  // A whole token, with a character changed, is unknown too.
  const flipped = callbackPath.slice(0, -1) + (callbackPath.endsWith("0") ? "1" : "0");
  assert.equal((await rawRequest(url, "POST", flipped, { headers: valid, body: lie })).status, 404);

  const after = (await getRecord(url, created.task_id)).body;
  assert.deepEqual(after, before, "nothing changed");
  assert.equal(after.video, undefined);

  // Control: the same lie correctly signed is accepted, so the refusals above were the signature's.
  const accepted = await rawRequest(url, "POST", callbackPath, { headers: signed(WEBHOOK_SECRET, lie), body: lie });
  assert.equal(accepted.status, 204, accepted.text);
  assert.equal((await getRecord(url, created.task_id)).body.video.id, "666");
});

test("a correctly signed callback about another task is refused by the token's binding", async (t) => {
  const { url, sim } = await startPair(t, {
    webhookSecret: WEBHOOK_SECRET,
    simOptions: { timing: { submittedMs: 50, processingMs: 60_000 } },
  });
  const a = JSON.parse((await postJson(`${url}/extensions`, { video_id: SOURCE, prompt: "a" })).text);
  const b = JSON.parse((await postJson(`${url}/extensions`, { video_id: SOURCE, prompt: "b" })).text);
  await untilStatus(url, a.task_id, "processing");
  await untilStatus(url, b.task_id, "processing");
  await callbacksSettled(sim, 4);
  const tokenOfA = new URL(sim.callbacks().find((d) => d.task_id === a.task_id).url).pathname;
  const aboutB = JSON.stringify({
    task_id: b.task_id,
    task_status: "failed",
    task_status_msg: "forged",
    task_info: { external_task_id: b.external_task_id },
    updated_at: Date.now() + 1000,
  });
  const r = await rawRequest(url, "POST", tokenOfA, { headers: signed(WEBHOOK_SECRET, aboutB), body: aboutB });
  assert.equal(r.status, 400, r.text);
  assert.equal((await getRecord(url, b.task_id)).body.status, "processing");
  assert.equal((await getRecord(url, a.task_id)).body.status, "processing");
});
