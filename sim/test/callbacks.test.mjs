import assert from "node:assert/strict";
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { after, before, test } from "node:test";
import { api, SAMPLE, startFast, waitFor, waitForTask } from "../test-support/helpers.mjs";

const SECRET_BYTES = randomBytes(24);
const SECRET = `whsec_${SECRET_BYTES.toString("base64")}`;

let receiver;
let received = [];
let receiverUrl;

before(async () => {
  receiver = createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      received.push({ headers: req.headers, raw: Buffer.concat(chunks).toString("utf8"), path: req.url });
      res.end("ok");
    });
  });
  await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${receiver.address().port}`;
});
after(
  () =>
    new Promise((resolve) => {
      receiver.closeAllConnections();
      receiver.close(resolve);
    }),
);

/** Verifies a Standard Webhooks signature independently of the simulator's code. */
function verify({ headers, raw }, keyBytes) {
  const expected = createHmac("sha256", keyBytes).update(`${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${raw}`).digest();
  return headers["webhook-signature"].split(" ").some((entry) => {
    const [version, signature] = entry.split(",");
    const given = Buffer.from(signature, "base64");
    return version === "v1" && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

test("every status change is POSTed as the bare task object, signed with the webhook secret", async () => {
  received = [];
  const sim = await startFast({ webhookSecret: SECRET });
  try {
    const { body } = await api(sim, "POST", "/v1/videos/video-extend", {
      video_id: SAMPLE.v16,
      callback_url: `${receiverUrl}/hook?token=abc`,
    });
    const final = await waitForTask(sim, "video-extend", body.data.task_id);
    await waitFor(() => received.length === 3);
    assert.deepEqual(
      received.map((r) => JSON.parse(r.raw).task_status),
      ["submitted", "processing", "succeed"],
    );
    assert.equal(received[0].path, "/hook?token=abc");
    assert.deepEqual(JSON.parse(received[2].raw), final);
    for (const delivery of received) {
      assert.equal(delivery.headers["content-type"], "application/json");
      assert.ok(verify(delivery, SECRET_BYTES), "signature verifies");
      assert.ok(!verify(delivery, randomBytes(24)), "another key does not verify");
      assert.ok(Math.abs(Number(delivery.headers["webhook-timestamp"]) - Date.now() / 1000) < 5);
    }
    await waitFor(() => sim.callbacks().every((d) => d.done));
    assert.deepEqual(
      sim.callbacks().map((d) => [d.task_status, d.status, d.error]),
      [
        ["submitted", 200, null],
        ["processing", 200, null],
        ["succeed", 200, null],
      ],
    );
  } finally {
    await sim.close();
  }
});

test("the request log and the callbacks carry real-time timestamps (ms), unshifted by clockOffsetMs", async () => {
  received = [];
  const sim = await startFast({ clockOffsetMs: -3_600_000, timing: { submittedMs: 40, processingMs: 80 } });
  try {
    const before = Date.now();
    const { body } = await api(sim, "POST", "/v1/videos/video-extend", { video_id: SAMPLE.v16, callback_url: `${receiverUrl}/timed` });
    const sent = Date.now();
    await waitForTask(sim, "video-extend", body.data.task_id);
    await waitFor(() => sim.callbacks().length === 3 && sim.callbacks().every((d) => d.done));
    const [create, get] = sim.requests();
    assert.equal(create.method, "POST");
    assert.ok(create.at >= before && create.at <= sent, `${before} ≤ ${create.at} ≤ ${sent}`);
    assert.equal(get.method, "GET");
    assert.ok(get.at >= create.at);
    const deliveries = sim.callbacks();
    assert.deepEqual(
      deliveries.map((d) => d.task_status),
      ["submitted", "processing", "succeed"],
    );
    for (const d of deliveries) assert.ok(d.done_at >= d.at, "answered after it was sent");
    assert.ok(deliveries[0].at >= create.at);
    assert.ok(deliveries[2].at - create.at >= 120 - 5, `succeed sent ${deliveries[2].at - create.at} ms after the create`);
    assert.ok(deliveries[2].done_at <= Date.now());
  } finally {
    await sim.close();
  }
});

test("without a secret callbacks are unsigned; failed deliveries are recorded, not retried", async () => {
  received = [];
  const sim = await startFast();
  try {
    await api(sim, "POST", "/v1/videos/text2video", { prompt: "x", model_name: "kling-v2-6", callback_url: `${receiverUrl}/plain` });
    const dead = await api(sim, "POST", "/v1/videos/text2video", {
      prompt: "y",
      model_name: "kling-v2-6",
      callback_url: "http://127.0.0.1:9/",
    });
    await waitForTask(sim, "text2video", dead.body.data.task_id);
    await waitFor(() => sim.callbacks().length === 6 && sim.callbacks().every((d) => d.done));
    assert.equal(received.length, 3);
    assert.equal(received[0].headers["webhook-signature"], undefined);
    const failures = sim.callbacks().filter((d) => d.error);
    assert.equal(failures.length, 3);
    assert.ok(failures.every((d) => d.url === "http://127.0.0.1:9/"));
  } finally {
    await sim.close();
  }
});
