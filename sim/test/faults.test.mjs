import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import { api, SAMPLE, startFast } from "../test-support/helpers.mjs";

let sim;
before(async () => {
  sim = await startFast();
});
beforeEach(() => sim.reset());
after(() => sim.close());

const EXTEND = "/v1/videos/video-extend";
const create = (options) => api(sim, "POST", EXTEND, { video_id: SAMPLE.v16 }, options);

test("error: an envelope error with the given status, code and headers", async () => {
  sim.injectFault({ path: EXTEND, action: { type: "error", status: 429, code: 1102, headers: { "retry-after": "1" } } });
  const res = await create();
  assert.equal(res.status, 429);
  assert.equal(res.body.code, 1102);
  assert.equal(res.body.message, "Resource pack exhausted or expired");
  assert.equal(res.headers.get("retry-after"), "1");
  assert.equal(sim.tasks().length, 0);
  assert.equal((await create()).status, 200, "times defaults to 1");
});

test("error: the HTTP status defaults from the code table", async () => {
  sim.injectFault({ action: { type: "error", code: 5001 } });
  assert.equal((await api(sim, "GET", EXTEND)).status, 503);
});

test("html: a proxy error page", async () => {
  sim.injectFault({ action: { type: "html", status: 502 } });
  const res = await api(sim, "GET", EXTEND);
  assert.equal(res.status, 502);
  assert.match(res.headers.get("content-type"), /^text\/html/);
  assert.match(res.text, /502 Bad Gateway/);
});

test("drop-before: the connection closes and no task is created", async () => {
  sim.injectFault({ method: "POST", action: { type: "drop-before" } });
  await assert.rejects(create(), TypeError);
  assert.equal(sim.tasks().length, 0);
  assert.equal(sim.requests()[0].status, null);
});

test("drop-after: the task is created but the answer is lost", async () => {
  sim.injectFault({ method: "POST", action: { type: "drop-after" } });
  await assert.rejects(api(sim, "POST", EXTEND, { video_id: SAMPLE.v16, external_task_id: "lost-1" }), TypeError);
  assert.equal(sim.tasks().length, 1);
  const found = await api(sim, "GET", `${EXTEND}/lost-1`);
  assert.equal(found.body.data.task_id, sim.tasks()[0].task_id);
});

test("hang: no answer until the client gives up; process: true still creates the task", async () => {
  sim.injectFault([{ action: { type: "hang" } }, { action: { type: "hang", process: true } }]);
  await assert.rejects(create({ signal: AbortSignal.timeout(100) }), { name: "TimeoutError" });
  assert.equal(sim.tasks().length, 0);
  await assert.rejects(create({ signal: AbortSignal.timeout(100) }), { name: "TimeoutError" });
  assert.equal(sim.tasks().length, 1);
});

test("delay: the answer comes after ms", async () => {
  sim.injectFault({ action: { type: "delay", ms: 150 } });
  const started = performance.now();
  const res = await create();
  assert.ok(performance.now() - started >= 140);
  assert.equal(res.body.code, 0);
});

test("truncated: 200 and half the body, then the connection ends", async () => {
  sim.injectFault({ action: { type: "truncated" } });
  const res = await fetch(sim.url + EXTEND, { headers: { Authorization: "Bearer kling-sim-api-key" } });
  assert.equal(res.status, 200);
  await assert.rejects(res.text());
});

test("malformed: 200 with a body that is not JSON", async () => {
  sim.injectFault({ action: { type: "malformed" } });
  const res = await create();
  assert.equal(res.status, 200);
  assert.equal(res.text, "not json");
  assert.match(res.headers.get("content-type"), /^text\/plain/);
  assert.equal(sim.tasks().length, 0);
});

test("code-on-200: HTTP 200 carrying an error code", async () => {
  sim.injectFault({ action: { type: "code-on-200", code: 5000, message: "oops" } });
  const res = await create();
  assert.equal(res.status, 200);
  assert.deepEqual([res.body.code, res.body.message, res.body.data], [5000, "oops", undefined]);
});

test("big: a valid JSON body of the requested size", async () => {
  sim.injectFault({ action: { type: "big", bytes: 300_000 } });
  const res = await create();
  assert.equal(Buffer.byteLength(res.text), 300_000);
  assert.equal(res.body.code, 0);
  assert.equal(sim.tasks().length, 1);
});

test("skip lets requests pass first; times limits uses; method and path must match", async () => {
  sim.injectFault({ method: "GET", path: "/text2video", skip: 1, times: 2, action: { type: "error", code: 5000 } });
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await api(sim, "GET", "/v1/videos/text2video")).status);
  assert.deepEqual(statuses, [200, 500, 500, 200]);
  assert.equal((await api(sim, "GET", EXTEND)).status, 200);
  assert.deepEqual(sim.faults(), []);
});

test("faults over HTTP: add an array, list, clear; bad rules are refused", async () => {
  const rules = [{ action: { type: "malformed" } }, { times: 0, action: { type: "html" } }];
  const added = await fetch(`${sim.url}/__sim/faults`, { method: "POST", body: JSON.stringify(rules) });
  assert.deepEqual(await added.json(), { added: 2 });
  assert.equal((await (await fetch(`${sim.url}/__sim/faults`)).json()).length, 2);
  await fetch(`${sim.url}/__sim/faults`, { method: "DELETE" });
  assert.deepEqual(sim.faults(), []);
  const bad = await fetch(`${sim.url}/__sim/faults`, { method: "POST", body: JSON.stringify({ action: { type: "nope" } }) });
  assert.equal(bad.status, 400);
  assert.throws(() => sim.injectFault({ action: { type: "delay" } }), TypeError);
});

test("close() ends hung connections and lets go of the process", async () => {
  const other = await startFast();
  other.injectFault({ action: { type: "hang" } });
  const pending = api(other, "GET", EXTEND);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const started = performance.now();
  await other.close();
  assert.ok(performance.now() - started < 500);
  await assert.rejects(pending, TypeError);
});
