// Durable chains: POST /chains runs a chain as a Cloudflare Workflow (Miniflare) against the
// simulator; each step reserved, gated, created once, awaited (callbacks or polls), kept in R2.
import { test } from "node:test";
import assert from "node:assert/strict";
import { auth, getJson, postJson, SOURCE, startPair, until, WEBHOOK_SECRET } from "./support.mjs";

export const PROMPTS = ["Birds fly", "A deer drinks", "Pull back"];

export async function startChain(url, body, headers) {
  const r = await postJson(`${url}/chains`, { video_id: SOURCE, video_duration: 5, prompts: PROMPTS, ...body }, headers);
  assert.equal(r.status, 202, r.text);
  return JSON.parse(r.text);
}

export function untilChain(url, id, status, { timeoutMs = 30_000, headers } = {}) {
  return until(async () => {
    const r = await getJson(`${url}/chains/${id}`, headers);
    assert.equal(r.status, 200, r.text);
    if (r.body.status === "failed" && status !== "failed") throw new Error(`chain failed: ${JSON.stringify(r.body.error)}`);
    return r.body.status === status ? r.body : null;
  }, { timeoutMs, interval: 50, what: `chain ${id} to be ${status}` });
}

const extends_ = (sim) => sim.tasks().filter((x) => x.family === "video-extend");

test("a 3-step chain completes with exactly 3 tasks, each video kept in R2 and served with ranges", async (t) => {
  const { url, sim } = await startPair(t, { webhookSecret: WEBHOOK_SECRET });
  const chain = await startChain(url, {});
  assert.match(chain.id, /^ch-[0-9a-f]{24}$/);
  assert.match(chain.external_task_id, /^kec-[0-9a-f]{24}$/);
  assert.equal(chain.step_count, 3);
  const done = await untilChain(url, chain.id, "succeed");
  assert.equal(extends_(sim).length, 3);
  assert.deepEqual(done.steps.map((s) => s.status), ["succeed", "succeed", "succeed"]);
  assert.deepEqual(done.steps.map((s) => s.duration), [10, 15, 20]);
  assert.deepEqual(done.steps.map((s) => s.external_task_id), [1, 2, 3].map((n) => `${chain.external_task_id}-${n}`));
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
  assert.equal((await fetch(`${url}${media.replace(/sig=./, "sig=0")}`)).status, 404);

  // Listed, and found by its prefix too.
  const list = await getJson(`${url}/chains`);
  assert.deepEqual(list.body.data.map((c) => c.id), [chain.id]);
  assert.equal((await getJson(`${url}/chains/${chain.external_task_id}`)).body.id, chain.id);
  assert.equal((await getJson(`${url}/chains/${chain.id}`, await auth("mallory@example.test"))).status, 404);
});
