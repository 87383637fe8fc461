// Durable chains: POST /chains runs a chain as a Cloudflare Workflow (Miniflare) against the
// simulator; each step reserved, gated, created once, awaited (callbacks or polls), kept in R2.

import assert from "node:assert/strict";
import { test } from "node:test";
import { auth, getJson, PROMPTS, postJson, SOURCE, startChain, startPair, until, untilChain, WEBHOOK_SECRET } from "./support.mjs";

const extends_ = (sim) => sim.tasks().filter((x) => x.family === "video-extend");

test("a 3-step chain completes with exactly 3 tasks, each video kept in R2 and served with ranges", async (t) => {
  const { url, sim } = await startPair(t, { webhookSecret: WEBHOOK_SECRET });
  const chain = await startChain(url, {});
  assert.match(chain.id, /^ch-[0-9a-f]{24}$/);
  assert.match(chain.external_task_id, /^kec-[0-9a-f]{24}$/);
  assert.equal(chain.step_count, 3);
  const done = await untilChain(url, chain.id, "succeed");
  assert.equal(extends_(sim).length, 3);
  assert.deepEqual(
    done.steps.map((s) => s.status),
    ["succeed", "succeed", "succeed"],
  );
  assert.deepEqual(
    done.steps.map((s) => s.duration),
    [10, 15, 20],
  );
  assert.deepEqual(
    done.steps.map((s) => s.external_task_id),
    [1, 2, 3].map((n) => `${chain.external_task_id}-${n}`),
  );
  assert.equal(done.length, 20);
  assert.equal(done.spent, 3 * 2);
  // Each step extends the previous result, which is the service's own (never another's) video.
  const tasks = extends_(sim).sort((a, b) => a.created_at - b.created_at);
  assert.equal(tasks[0].task_info.parent_video.id, SOURCE);
  for (let i = 1; i < 3; i++) assert.equal(tasks[i].task_info.parent_video.id, tasks[i - 1].task_result.videos[0].id);
  // Kling saw per-user ids, never the chain's prefix.
  for (const task of tasks) assert.match(task.task_info.external_task_id, /^ke-[0-9a-f]{40}$/);

  // The kept video: the whole, a range, a signed link without a session; another user gets 404.
  const media = done.steps[2].video.media_url;
  assert.match(media, /^\/media\/\d+\.mp4\?u=[0-9a-f]{64}&exp=\d+&sig=[0-9a-f]{64}$/);
  const original = Buffer.from(await (await fetch(done.steps[2].video.url)).arrayBuffer());
  const whole = await fetch(`${url}${media}`);
  assert.equal(whole.status, 200);
  assert.equal(whole.headers.get("accept-ranges"), "bytes");
  assert.deepEqual(Buffer.from(await whole.arrayBuffer()), original);
  const part = await fetch(`${url}${media}`, { headers: { range: "bytes=10-19" } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get("content-range"), `bytes 10-19/${original.length}`);
  assert.deepEqual(Buffer.from(await part.arrayBuffer()), original.subarray(10, 20));
  assert.equal((await fetch(`${url}${media}`, { headers: { range: `bytes=${original.length}-` } })).status, 416);
  const bare = media.split("?")[0];
  assert.equal((await fetch(`${url}${bare}`, { headers: await auth() })).status, 200);
  assert.equal((await fetch(`${url}${bare}`, { headers: await auth("mallory@example.test") })).status, 404);
  assert.equal((await fetch(`${url}${bare}`)).status, 401);
  // A signature with one digit changed (to another digit, whatever the first one was).
  const forged = media.replace(/sig=(.)/, (_, c) => `sig=${c === "0" ? "1" : "0"}`);
  assert.notEqual(forged, media);
  assert.equal((await fetch(`${url}${forged}`)).status, 404);
  // The chain's video: an extend chain's last step is the whole video, served as kept.
  assert.match(done.video_url, new RegExp(`^/chains/${chain.id}/video\\?u=[0-9a-f]{64}&exp=\\d+&sig=[0-9a-f]{64}$`));
  const video = await fetch(`${url}${done.video_url}`, { headers: { range: "bytes=10-" } });
  assert.equal(video.status, 206);
  assert.deepEqual(Buffer.from(await video.arrayBuffer()), original.subarray(10));

  // Listed, and found by its prefix too.
  const list = await getJson(`${url}/chains`);
  assert.deepEqual(
    list.body.data.map((c) => c.id),
    [chain.id],
  );
  assert.equal((await getJson(`${url}/chains/${chain.external_task_id}`)).body.id, chain.id);
  assert.equal((await getJson(`${url}/chains/${chain.id}`, await auth("mallory@example.test"))).status, 404);
});

test("callbacks switched off: the chain completes by polling on the package's schedule", async (t) => {
  const { url, sim } = await startPair(t, { simOptions: { callbacks: false } });
  const chain = await startChain(url, { prompts: PROMPTS.slice(0, 2) });
  const done = await untilChain(url, chain.id, "succeed", { timeoutMs: 40_000 });
  assert.deepEqual(
    done.steps.map((s) => s.duration),
    [10, 15],
  );
  assert.equal(sim.callbacks().length, 0);
  assert.equal(extends_(sim).length, 2);
  const posts = sim.requests().filter((r) => r.method === "POST");
  assert.equal(posts.length, 2, "one create per step");
  // The package's schedule: the first poll 5 s after the create; the fast tasks are done by then.
  const gets = sim.requests().filter((r) => r.method === "GET");
  assert.equal(gets.length, 2, `one GET per step: ${gets.map((g) => g.path)}`);
});

test("callbacks duplicated, out of order or ahead of the create's answer change nothing", async (t) => {
  const { url, sim } = await startPair(t, {
    webhookSecret: WEBHOOK_SECRET,
    simOptions: { timing: { submittedMs: 50, processingMs: 100 } },
  });
  // Every create is answered 700 ms late: its callbacks (even `succeed`) come first.
  sim.injectFault({ method: "POST", path: "/v1/videos/video-extend", times: 0, action: { type: "delay", ms: 700 } });
  const chain = await startChain(url, {});
  const done = await untilChain(url, chain.id, "succeed");
  assert.equal(extends_(sim).length, 3);
  const early = sim.callbacks().filter((c) => c.task_status === "succeed");
  assert.equal(early.length, 3);
  const me = (await getJson(`${url}/me`)).body;

  // Every delivery again, newest first, signatures intact: all accepted, nothing moves.
  for (const d of [...sim.callbacks()].reverse()) {
    const r = await fetch(d.url, { method: "POST", headers: d.headers, body: JSON.stringify(d.body) });
    assert.equal(r.status, 204);
  }
  const after = await getJson(`${url}/chains/${chain.id}`);
  const strip = (c) => ({
    ...c,
    steps: c.steps.map((s) => ({ ...s, video: { ...s.video, media_url: undefined } })),
    video: undefined,
    video_url: undefined,
  });
  assert.deepEqual(strip(after.body), strip(done));
  assert.deepEqual((await getJson(`${url}/me`)).body, me);
  assert.equal(extends_(sim).length, 3);
});

test("a chain that could pass 180 s is refused before anything is reserved or sent", async (t) => {
  const { url, sim } = await startPair(t);
  const r = await postJson(`${url}/chains`, {
    method: "extend",
    video_id: "800000000000000005",
    video_duration: 178,
    prompts: ["One more"],
  });
  assert.equal(r.status, 400, r.text);
  const { error } = JSON.parse(r.text);
  assert.equal(error.code, "ERR_KLING_INVALID_REQUEST");
  assert.match(error.message, /180 s/);
  assert.equal(sim.requests().length, 0);
  assert.deepEqual((await getJson(`${url}/chains`)).body.data, []);
  const me = (await getJson(`${url}/me`)).body;
  assert.equal(me.reserved + me.spent, 0);
  // A bad step is refused the same way, naming its field.
  const bad = await postJson(`${url}/chains`, { method: "extend", video_id: SOURCE, prompts: ["a", { prompt: "b", cfg_scale: 3 }] });
  assert.equal(bad.status, 400);
  assert.equal(JSON.parse(bad.text).error.field, "cfg_scale");
});

test("a step that fails leaves the chain failed with its finished steps; resume completes it, each task charged once", async (t) => {
  const { url, sim } = await startPair(t, { webhookSecret: WEBHOOK_SECRET });
  const chain = await startChain(url, { external_task_id: "trip" });
  await until(() => extends_(sim).length === 1, { interval: 5, what: "step 1 created" });
  sim.configure({ failNextTasks: 1 }); // step 2's task ends `failed`
  const failed = await untilChain(url, chain.id, "failed");
  assert.deepEqual(
    failed.steps.map((s) => s.status),
    ["succeed", "failed", "waiting"],
  );
  assert.equal(failed.error.code, "ERR_KLING_TASK_FAILED");
  assert.equal(failed.error.step, 2);
  assert.equal(failed.steps[1].external_task_id, "trip-2");
  assert.equal(failed.spent, 2);
  let me = (await getJson(`${url}/me`)).body;
  assert.deepEqual([me.reserved, me.spent], [0, 2], "the failed task is not charged and holds nothing");

  const resumed = await postJson(`${url}/chains/${chain.id}/resume`, {});
  assert.equal(resumed.status, 202, resumed.text);
  const done = await untilChain(url, chain.id, "succeed");
  assert.deepEqual(
    done.steps.map((s) => s.external_task_id),
    ["trip-1", "trip-2.2", "trip-3"],
  );
  assert.deepEqual(
    done.steps.map((s) => s.attempt),
    [1, 2, 1],
  );
  assert.deepEqual(
    done.steps.map((s) => s.duration),
    [10, 15, 20],
  );
  assert.equal(extends_(sim).length, 4, "3 succeeded + the failed one; step 1 never again");
  assert.equal(extends_(sim).filter((x) => x.task_status === "succeed").length, 3);
  assert.equal(done.spent, 6);
  me = (await getJson(`${url}/me`)).body;
  assert.deepEqual([me.reserved, me.spent], [0, 6]);
  // A finished chain resumes to itself; POST /chains with its prefix returns it.
  assert.equal((await postJson(`${url}/chains/${chain.id}/resume`, {})).status, 200);
  const again = await postJson(`${url}/chains`, { method: "extend", video_id: SOURCE, prompts: PROMPTS, external_task_id: "trip" });
  assert.equal(again.status, 200);
  assert.equal(JSON.parse(again.text).id, chain.id);
  assert.equal(extends_(sim).length, 4);
});
