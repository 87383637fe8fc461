import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { parseRange } from "../lib/media.mjs";
import { api, SAMPLE, startFast } from "../test-support/helpers.mjs";

let sim;
before(async () => {
  sim = await startFast();
});
after(() => sim.close());

test("media: real MP4 clips with Range support", async () => {
  const url = sim.samples.find((s) => s.id === SAMPLE.v16).url;
  const full = await fetch(url);
  assert.equal(full.status, 200);
  assert.equal(full.headers.get("content-type"), "video/mp4");
  assert.equal(full.headers.get("accept-ranges"), "bytes");
  const bytes = Buffer.from(await full.arrayBuffer());
  assert.ok(bytes.length > 1000 && bytes.length < 30_000);
  assert.equal(bytes.subarray(4, 8).toString("latin1"), "ftyp");

  const part = await fetch(url, { headers: { Range: "bytes=10-19" } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get("content-range"), `bytes 10-19/${bytes.length}`);
  assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(10, 20));

  const bad = await fetch(url, { headers: { Range: `bytes=${bytes.length}-` } });
  assert.equal(bad.status, 416);
  assert.equal((await fetch(url.replace(".mp4", "-wm.mp4"))).status, 200);
  assert.equal((await fetch(`${sim.url}/media/999.mp4`)).status, 404);
});

test("parseRange handles the forms players send", () => {
  assert.deepEqual(parseRange("bytes=0-", 100), { start: 0, end: 99 });
  assert.deepEqual(parseRange("bytes=-10", 100), { start: 90, end: 99 });
  assert.deepEqual(parseRange("bytes=90-200", 100), { start: 90, end: 99 });
  assert.equal(parseRange("bytes=0-1,5-6", 100), null);
  assert.equal(parseRange("bytes=5-2", 100), "unsatisfiable");
  assert.equal(parseRange(undefined, 100), null);
});

test("Date follows the simulator clock; X-Request-Id is on every response", async () => {
  sim.configure({ clockOffsetMs: -3_600_000 });
  try {
    const res = await api(sim, "GET", "/v1/videos/video-extend");
    const skew = Date.parse(res.headers.get("date")) - Date.now();
    assert.ok(Math.abs(skew + 3_600_000) < 2000, `skew ${skew}`);
    assert.equal(res.headers.get("x-request-id"), res.body.request_id);
    const err = await api(sim, "GET", "/v1/videos/video-extend/404");
    assert.equal(err.headers.get("x-request-id"), err.body.request_id);
  } finally {
    sim.configure({ clockOffsetMs: 0 });
  }
});

test("CORS: preflight answered, headers exposed", async () => {
  const preflight = await fetch(`${sim.url}/v1/videos/video-extend`, {
    method: "OPTIONS",
    headers: {
      Origin: "http://localhost:3000",
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": "authorization, content-type",
    },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
  assert.match(preflight.headers.get("access-control-allow-headers"), /Authorization, Content-Type/);
  const res = await api(sim, "GET", "/v1/videos/video-extend");
  assert.match(res.headers.get("access-control-expose-headers"), /Date, X-Request-Id, Retry-After, retry-after-ms/);
  assert.equal(sim.requests().filter((r) => r.method === "OPTIONS").length, 0);
});

test("unknown paths are 404 / 1203; unknown control paths are 404", async () => {
  const res = await api(sim, "GET", "/v1/nothing");
  assert.deepEqual([res.status, res.body.code], [404, 1203]);
  assert.equal((await fetch(`${sim.url}/__sim/nothing`)).status, 404);
});

test("reset drops tasks, log, faults and callbacks but keeps the samples", async () => {
  await api(sim, "POST", "/v1/videos/text2video", { prompt: "x", model_name: "kling-v2-6" });
  sim.injectFault({ action: { type: "malformed" } });
  assert.equal((await fetch(`${sim.url}/__sim/reset`, { method: "POST" })).status, 200);
  assert.deepEqual([sim.tasks(), sim.requests(), sim.faults(), sim.callbacks()], [[], [], [], []]);
  assert.equal(sim.samples.length, 7);
});
