// Durable chains by method: next-shot (Omni-Video with the previous clip as its reference) is the
// service's default; `auto` is resolved once and stored; last-frame is refused (a Worker cannot
// decode frames). The source is a video the user made through the service: its URL and length are
// the service's record, never the caller's.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Miniflare } from "miniflare";
import { decodedVideoFrames } from "../ffmpeg.mjs";
import {
  AKSK,
  buildBundle,
  callAs,
  freePort,
  ROOT,
  SOURCE,
  simBindings,
  startPair,
  startSim,
  until,
  WEBHOOK_SECRET,
  workerOptions,
} from "./support.mjs";

/** The policy that lets a user make a source (kling-v3) and next-shot steps (the Omni-Video models). */
const OMNI = { ALLOWED_MODELS: "kling-v3,kling-v3-omni,kling-video-o1", ALLOW_PRO: "true" };
const QUICK = { submittedMs: 20, processingMs: 60 };
const T2V = "/kling/v1/videos/text2video";

/** A finished 5 s text2video of `user`'s, made through the service's facade: its task. */
async function makeSource(url, user, id = "src") {
  const created = await callAs(url, "POST", T2V, user, {
    model_name: "kling-v3",
    prompt: "A lighthouse",
    duration: "5",
    external_task_id: id,
  });
  assert.equal(created.status, 200, created.text);
  return until(
    async () => {
      const r = await callAs(url, "GET", `${T2V}/${id}`, user);
      return r.json?.data?.task_status === "succeed" ? r.json.data : null;
    },
    { what: "the source to finish" },
  );
}

const omni = (sim) =>
  sim
    .tasks()
    .filter((x) => x.family === "omni-video")
    .sort((a, b) => a.created_at - b.created_at);
const omniCreates = (sim) => sim.requests().filter((r) => r.method === "POST" && r.path === "/v1/videos/omni-video");

/** Polls GET /chains/:id as `user` until the chain is `status`. */
function untilChainOf(url, user, id, status, timeoutMs = 30_000) {
  return until(
    async () => {
      const r = await callAs(url, "GET", `/chains/${id}`, user);
      assert.equal(r.status, 200, r.text);
      if (r.json.status === "failed" && status !== "failed") throw new Error(`chain failed: ${JSON.stringify(r.json.error)}`);
      return r.json.status === status ? r.json : null;
    },
    { timeoutMs, interval: 50, what: `chain ${id} to be ${status}` },
  );
}

test("a 12-step next-shot chain survives a restart of the service: 12 omni-video tasks, one joined video of every clip", async (t) => {
  const began = Date.now();
  const persist = join(ROOT, ".tmp", `worker-chain-methods-${process.pid}`);
  rmSync(persist, { recursive: true, force: true });
  mkdirSync(persist, { recursive: true });
  t.after(() => rmSync(persist, { recursive: true, force: true }));
  const sim = await startSim(t, { webhookSecret: WEBHOOK_SECRET, timing: QUICK });
  const bundle = await buildBundle();
  const bindings = { ...simBindings(sim), ...AKSK, KLING_WEBHOOK_SECRET: WEBHOOK_SECRET, ...OMNI };
  let mf = null;
  const port = await freePort(); // the same origin (PUBLIC_ORIGIN) at every start
  const start = async () => {
    mf = new Miniflare(workerOptions({ scriptPath: bundle.scriptPath, dir: bundle.dir, bindings, persist, port }));
    return (await mf.ready).toString().replace(/\/$/, "");
  };
  t.after(() => mf?.dispose());
  const user = "longshot@example.test";
  let url = await start();
  const source = await makeSource(url, user);
  const sourceVideo = source.task_result.videos[0];

  const prompts = Array.from({ length: 12 }, (_, i) => `shot ${i + 1}`);
  const started = await callAs(url, "POST", "/chains", user, { video_id: sourceVideo.id, prompts, external_task_id: "long" });
  assert.equal(started.status, 202, started.text);
  assert.equal(started.json.method, "next-shot", "next-shot is the default");
  assert.equal(started.json.step_count, 12);

  await until(() => omni(sim).filter((x) => x.task_status === "succeed").length >= 5, {
    interval: 10,
    timeoutMs: 30_000,
    what: "5 steps finished",
  });
  await mf.dispose(); // a restart of the service mid-chain
  mf = null;
  url = await start();

  const done = await untilChainOf(url, user, started.json.id, "succeed", 90_000);
  const tasks = omni(sim);
  assert.equal(tasks.length, 12, "exactly 12 omni-video tasks");
  assert.equal(omniCreates(sim).length, 12, "12 creates reached the simulator");
  assert.equal(sim.tasks().filter((x) => x.family === "video-extend").length, 0, "no extension");
  assert.deepEqual(
    done.steps.map((s) => [s.family, s.status, s.external_task_id]),
    prompts.map((_, i) => ["omni-video", "succeed", `long-${i + 1}`]),
  );
  assert.deepEqual(
    done.steps.map((s) => s.task_id),
    tasks.map((x) => x.task_id),
  );
  // Each step's reference is the clip before it: the source's (Kling's URL, the service's record).
  const refs = tasks.map((x) =>
    sim.requests().find((r) => r.method === "POST" && r.body?.external_task_id === x.task_info.external_task_id),
  );
  assert.equal(refs[0].body.video_list[0].video_url, sourceVideo.url);
  for (let i = 1; i < 12; i++) assert.equal(refs[i].body.video_list[0].video_url, tasks[i - 1].task_result.videos[0].url);
  for (const r of refs) assert.equal(r.body.video_list[0].refer_type, "feature");
  assert.equal(done.length, 5 + 12 * 5, "the source's 5 s and every clip's");

  // The joined video: the source's clip then the 12 clips, decoded whole by ffmpeg.
  const full = await fetch(`${url}${done.video_url}`);
  assert.equal(full.status, 200);
  const bytes = Buffer.from(await full.arrayBuffer());
  assert.equal(bytes.length, Number(full.headers.get("content-length")));
  const dir = join(ROOT, ".tmp", `worker-chain-methods-files-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const joined = join(dir, "joined.mp4");
  writeFileSync(joined, bytes);
  const clipFrames = [];
  for (const [i, v] of [sourceVideo, ...tasks.map((x) => x.task_result.videos[0])].entries()) {
    const file = join(dir, `clip-${i}.mp4`);
    writeFileSync(file, Buffer.from(await (await fetch(v.url)).arrayBuffer()));
    clipFrames.push(decodedVideoFrames(file));
  }
  const frames = decodedVideoFrames(joined);
  assert.equal(
    frames,
    clipFrames.reduce((a, b) => a + b, 0),
    "the joined video has the source's and every clip's frames",
  );
  // A range is exactly those bytes of the whole.
  const [a, b] = [12345, Math.floor(bytes.length / 2) + 777];
  const part = await fetch(`${url}${done.video_url}`, { headers: { range: `bytes=${a}-${b}` } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get("content-range"), `bytes ${a}-${b}/${bytes.length}`);
  assert.ok(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(a, b + 1)), "the range's bytes");
  t.diagnostic(`12 steps + restart: ${Date.now() - began} ms; ${frames} frames (${clipFrames.join("+")}); ${bytes.length} bytes`);
});

test("next-shot is the default; auto is stored resolved; last-frame and a caller's video_url are refused before anything is reserved", async (t) => {
  const { url, sim } = await startPair(t, { simOptions: { timing: QUICK }, extra: OMNI });
  const user = "methods@example.test";
  const source = await makeSource(url, user);
  const videoId = source.task_result.videos[0].id;
  const me = async () => (await callAs(url, "GET", "/me", user)).json;
  const before = await me();
  const requests = sim.requests().length;

  const lastFrame = await callAs(url, "POST", "/chains", user, { method: "last-frame", video_id: videoId, prompts: ["a"] });
  assert.equal(lastFrame.status, 400, lastFrame.text);
  assert.equal(lastFrame.json.error.code, "ERR_KLING_INVALID_REQUEST");
  assert.equal(lastFrame.json.error.field, "method");
  assert.match(lastFrame.json.error.message, /cannot decode frames/);
  assert.match(lastFrame.json.error.message, /kling\.chains\.run/);

  const foreignUrl = await callAs(url, "POST", "/chains", user, {
    video_id: videoId,
    video_url: "https://example.test/any.mp4",
    prompts: ["a"],
  });
  assert.equal(foreignUrl.status, 400);
  assert.equal(foreignUrl.json.error.field, "video_url");
  assert.match(foreignUrl.json.error.message, /set by this service from video_id/);
  // A shared sample has no URL this service keeps: next-shot cannot start from it.
  const shared = await callAs(url, "POST", "/chains", user, { video_id: SOURCE, prompts: ["a"] });
  assert.equal(shared.status, 400);
  assert.equal(shared.json.error.field, "video_id");
  assert.match(shared.json.error.message, /method extend/);
  // Another user's video is no such video.
  const foreign = await callAs(url, "POST", "/chains", "mallory@example.test", { video_id: videoId, prompts: ["a"] });
  assert.equal(foreign.status, 404);
  assert.equal(sim.requests().length, requests, "nothing reached Kling");
  assert.deepEqual((await callAs(url, "GET", "/chains", user)).json.data, []);
  assert.deepEqual(await me(), before, "nothing reserved");

  // auto: a kling-v3 source is not extendable, so next-shot; stored resolved.
  const auto = await callAs(url, "POST", "/chains", user, { method: "auto", video_id: videoId, prompts: ["a"], external_task_id: "auto" });
  assert.equal(auto.status, 202, auto.text);
  assert.equal(auto.json.method, "next-shot");
  const ns = (await callAs(url, "GET", "/chains", user)).json.data;
  assert.equal(ns[0].method, "next-shot");
  const ended = await untilChainOf(url, user, auto.json.id, "succeed");
  assert.equal(ended.steps[0].family, "omni-video");
  // The stored parameters carry the resolved method and the service's source URL and length.
  const ledger = await callAs(url, "POST", "/chains", user, {
    method: "auto",
    video_id: videoId,
    prompts: ["a"],
    external_task_id: "auto",
  });
  assert.equal(ledger.status, 200, "the same prefix again is the same chain");
  assert.equal(ledger.json.id, auto.json.id);
  // auto of a shared v1.x sample (only its id known) extends it.
  const extend = await callAs(url, "POST", "/chains", user, { method: "auto", video_id: SOURCE, video_duration: 5, prompts: ["a"] });
  assert.equal(extend.status, 202, extend.text);
  assert.equal(extend.json.method, "extend");
  const extended = await untilChainOf(url, user, extend.json.id, "succeed");
  assert.equal(extended.steps[0].family, "video-extend");
  assert.equal(sim.tasks().filter((x) => x.family === "video-extend").length, 1);
});

test("per-step model, mode and duration reach Kling; the first step is priced as the omni-video create it is", async (t) => {
  const { url, sim } = await startPair(t, { simOptions: { timing: QUICK }, extra: { ...OMNI, USER_DAILY_UNITS: "11" } });
  const user = "steps@example.test";
  const source = await makeSource(url, user); // 3 units of 11 reserved, then charged
  const videoId = source.task_result.videos[0].id;
  const left = (await callAs(url, "GET", "/me", user)).json.remaining;
  // A pro 10 s kling-v3-omni step: 6 units per 5 s, 12 in all, more than is left; an extension
  // of the source would cost far less. Refused up front: 402, nothing reserved or sent.
  const requests = sim.requests().length;
  const dear = await callAs(url, "POST", "/chains", user, { video_id: videoId, mode: "pro", duration: "10", prompts: ["a"] });
  assert.equal(dear.status, 402, dear.text);
  assert.equal(dear.json.error.code, "ERR_BUDGET_EXCEEDED");
  assert.equal(dear.json.error.remaining, left);
  assert.equal(sim.requests().length, requests);

  const prompts = [{ prompt: "close up", model_name: "kling-video-o1", mode: "pro", duration: "3" }, "wide"];
  const started = await callAs(url, "POST", "/chains", user, { video_id: videoId, duration: "4", prompts, external_task_id: "mix" });
  assert.equal(started.status, 202, started.text);
  const done = await untilChainOf(url, user, started.json.id, "succeed");
  const sent = omniCreates(sim).map((r) => r.body);
  assert.equal(sent.length, 2);
  assert.deepEqual(
    sent.map((b) => [b.model_name, b.mode ?? "std", b.duration]),
    [
      ["kling-video-o1", "pro", "3"],
      ["kling-v3-omni", "std", "4"],
    ],
  );
  assert.deepEqual(
    done.steps.map((s) => s.duration),
    [3, 4],
  );
  assert.equal(done.length, 5 + 3 + 4);
  // The operator's policy holds for every step, before anything is sent.
  const blocked = await callAs(url, "POST", "/chains", user, {
    video_id: videoId,
    prompts: ["a", { prompt: "b", model_name: "kling-v9-omni" }],
  });
  assert.equal(blocked.status, 400, blocked.text);
  assert.equal(blocked.json.error.field, "model_name");
  assert.match(blocked.json.error.message, /^step 2 of the chain: /);
});

test("a chain stored before chains had methods (no `method`) runs on as an extension chain", async (t) => {
  const { worker, url, sim } = await startPair(t, { simOptions: { timing: QUICK } });
  const user = "legacy@example.test";
  const userKey = createHash("sha256").update(`kling-edge user\n${user}`).digest("hex");
  const ns = await worker.mf.getDurableObjectNamespace("USERS");
  const store = ns.get(ns.idFromName(userKey));
  // As the service stored it then: the caller's parameters and the prefix, no method.
  const params = { video_id: SOURCE, video_duration: 5, prompts: ["a", "b"], external_task_id: "old" };
  await store.createChain({
    chainId: "ch-old",
    prefix: "old",
    videoId: SOURCE,
    params,
    steps: 2,
    instance: "ch-old-1",
    now: Date.now(),
    userKey,
  });
  await store.chainEnded("ch-old", "failed", { code: "ERR_CHAIN_RUN", message: "the chain's run terminated" }, Date.now());
  const resumed = await callAs(url, "POST", "/chains/ch-old/resume", user);
  assert.equal(resumed.status, 202, resumed.text);
  assert.equal(resumed.json.method, "extend");
  const done = await untilChainOf(url, user, "ch-old", "succeed");
  assert.deepEqual(
    done.steps.map((s) => [s.family, s.external_task_id, s.duration]),
    [
      ["video-extend", "old-1", 10],
      ["video-extend", "old-2", 15],
    ],
  );
  assert.equal(sim.tasks().filter((x) => x.family === "video-extend").length, 2);
  assert.equal(omni(sim).length, 0);
  assert.equal(done.length, 15);
  assert.equal(done.video.duration, "15", "an extension chain's last result is its whole video");
});
