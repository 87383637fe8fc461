// A chain survives its Worker: Miniflare disposed and started again on the same persisted state
// (Durable Objects, Workflows, R2 under .tmp/) just after a create, while a step waits, and just
// after a step finished. The chain completes with exactly one task per step, each video kept once.

import assert from "node:assert/strict";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Miniflare } from "miniflare";
import {
  AKSK,
  buildBundle,
  freePort,
  getJson,
  ROOT,
  simBindings,
  startChain,
  startSim,
  until,
  untilChain,
  WEBHOOK_SECRET,
  workerOptions,
} from "./support.mjs";

test("a chain completes across three restarts of the Worker, one task per step, no step skipped", async (t) => {
  const persist = join(ROOT, ".tmp", `worker-chain-restart-${process.pid}`);
  rmSync(persist, { recursive: true, force: true });
  mkdirSync(persist, { recursive: true });
  t.after(() => rmSync(persist, { recursive: true, force: true }));
  const sim = await startSim(t, { webhookSecret: WEBHOOK_SECRET, timing: { submittedMs: 300, processingMs: 1200 } });
  const bundle = await buildBundle();
  const bindings = { ...simBindings(sim), ...AKSK, KLING_WEBHOOK_SECRET: WEBHOOK_SECRET };
  let mf = null;
  const port = await freePort(); // the same origin (PUBLIC_ORIGIN) at every start
  const start = async () => {
    mf = new Miniflare(workerOptions({ scriptPath: bundle.scriptPath, dir: bundle.dir, bindings, persist, port }));
    return (await mf.ready).toString().replace(/\/$/, "");
  };
  const restart = async () => {
    await mf.dispose();
    mf = null;
    return start();
  };
  t.after(() => mf?.dispose());
  const tasks = () =>
    sim
      .tasks()
      .filter((x) => x.family === "video-extend")
      .sort((a, b) => a.created_at - b.created_at);

  let url = await start();
  const chain = await startChain(url, {});

  await until(() => tasks().length === 1, { interval: 5, what: "step 1 created" });
  url = await restart(); // just after a create

  await until(() => tasks().length === 2 && tasks()[1].task_status === "processing", {
    interval: 5,
    timeoutMs: 20_000,
    what: "step 2 processing",
  });
  url = await restart(); // while the step waits

  await until(() => tasks().length === 2 && tasks()[1].task_status === "succeed", {
    interval: 5,
    timeoutMs: 20_000,
    what: "step 2 finished",
  });
  url = await restart(); // just after a step finished

  const done = await untilChain(url, chain.id, "succeed", { timeoutMs: 60_000 }).catch(async (err) => {
    console.error(
      JSON.stringify((await getJson(`${url}/chains/${chain.id}`)).body, null, 1),
      JSON.stringify(tasks().map((x) => [x.task_id, x.task_status])),
    );
    throw err;
  });
  assert.equal(tasks().length, 3, "exactly 3 tasks");
  assert.deepEqual(
    done.steps.map((s) => s.status),
    ["succeed", "succeed", "succeed"],
  );
  assert.deepEqual(
    done.steps.map((s) => s.duration),
    [10, 15, 20],
    "no step skipped",
  );
  assert.deepEqual(
    done.steps.map((s) => s.task_id),
    tasks().map((x) => x.task_id),
  );
  const all = tasks();
  for (let i = 1; i < 3; i++) assert.equal(all[i].task_info.parent_video.id, all[i - 1].task_result.videos[0].id);
  const bucket = await mf.getR2Bucket("MEDIA");
  const kept = (await bucket.list()).objects.map((o) => o.key.split("/")[1]).sort();
  assert.deepEqual(kept, all.map((x) => `${x.task_result.videos[0].id}.mp4`).sort(), "each video kept once");
  assert.equal((await getJson(`${url}/me`)).body.spent, 6);
});
