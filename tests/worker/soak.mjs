// A mixed run of many users against the service in Miniflare, with the simulator as Kling: creates
// (the facade, /extensions), chains (extensions of a shared sample, and next-shot chains from a
// user's own finished video), a failed chain resumed, bad session tokens, forged callbacks,
// and a restart of the service in the middle. At the end, the books must balance:
//   - each user's ledger: spent = Σ final_unit_deduction of their tasks at the simulator, nothing
//     left reserved;
//   - 0 tasks made outside the account's gate (the simulator never ran more than its slots);
//   - 0 creates reaching the simulator without a reservation (each names a row the service holds).
// `runSoak({seconds})` returns the figures; `node tests/worker/soak.mjs [seconds]` prints them.

import assert from "node:assert/strict";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Miniflare } from "miniflare";
import { startSimulator } from "../../sim/index.mjs";
import {
  AKSK,
  buildBundle,
  freePort,
  mint,
  ROOT,
  rawRequest,
  SESSION_SECRET,
  SOURCE,
  simBindings,
  WEBHOOK_SECRET,
  workerOptions,
} from "./support.mjs";

const SLOTS = 4;
const USERS = ["ana", "ben", "chen", "dara", "eli", "fay"];
const T2V = "/kling/v1/videos/text2video";

const userKey = (sub) => createHash("sha256").update(`kling-edge user\n${sub}`).digest("hex");
const klingId = (sub, family, clientId) =>
  `ke-${createHmac("sha256", SESSION_SECRET)
    .update(`external-id\n${userKey(sub)}\n${family}\n${clientId}`)
    .digest("hex")
    .slice(0, 40)}`;

/** Runs the soak for `seconds`; resolves its figures (and throws when the books do not balance). */
export async function runSoak({ seconds = 600, log = () => {} } = {}) {
  const persist = join(ROOT, ".tmp", `worker-soak-${process.pid}`);
  rmSync(persist, { recursive: true, force: true });
  mkdirSync(persist, { recursive: true });
  const sim = await startSimulator({
    webhookSecret: WEBHOOK_SECRET,
    allowRetiredModels: true, // an account that kept its v1.x models: sources to extend
    // Tasks of 0.8 s on 4 slots: the account's cap (3 units a second of the run) is what the
    // simulator can make, so the queue drains by the end.
    timing: { submittedMs: 100, processingMs: 700 },
    maxConcurrentTasks: SLOTS,
  });
  const bundle = await buildBundle();
  const bindings = {
    ...simBindings(sim),
    ...AKSK,
    KLING_WEBHOOK_SECRET: WEBHOOK_SECRET,
    KLING_MAX_CONCURRENT_TASKS: String(SLOTS),
    // Budgets that bite: users and then the account run out before the end.
    USER_DAILY_UNITS: String(Math.max(40, Math.round(seconds * 0.8))),
    // The sources users make (kling-v1-6) and the next-shot chains' steps (Omni-Video).
    ALLOWED_MODELS: "kling-v1-5,kling-v1-6,kling-v3-omni",
    ACCOUNT_DAILY_UNITS: String(Math.max(200, seconds * 3)),
  };
  let mf = null;
  const port = await freePort(); // the same origin (PUBLIC_ORIGIN) at every start
  let url = "";
  const start = async () => {
    mf = new Miniflare(workerOptions({ scriptPath: bundle.scriptPath, dir: bundle.dir, bindings, persist, port }));
    url = (await mf.ready).toString().replace(/\/$/, "");
  };
  const tokens = new Map();
  for (const sub of USERS) tokens.set(sub, await mint(sub, { ttl: seconds + 3600 }));
  const call = async (sub, method, path, body) => {
    const headers = { authorization: `Bearer ${tokens.get(sub)}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    try {
      const r = await rawRequest(url, method, path, { headers, body: body === undefined ? undefined : JSON.stringify(body) });
      return { ...r, json: r.text ? JSON.parse(r.text) : null };
    } catch (err) {
      return { status: 0, error: String(err) }; // the service restarting: the caller tries again later
    }
  };

  const figures = { creates: 0, answers: {}, chains: 0, nextShotChains: 0, resumed: 0, badTokens: 0, forgedCallbacks: 0, restarts: 0 };
  const count = (r) => {
    // 5xx answers are counted by their code, to be read in the figures.
    const key = r.status >= 500 ? `${r.status} ${r.json?.error?.code ?? ""}` : r.status;
    figures.answers[key] = (figures.answers[key] ?? 0) + 1;
  };
  const made = []; // [sub, family, clientId] of every create tried, whatever its answer
  const chains = []; // [sub, id]
  await start();
  const deadline = Date.now() + seconds * 1000;
  const restartAt = Date.now() + (seconds * 1000) / 2;
  let restarted = false;
  let n = 0;
  const pick = (list) => list[Math.floor(Math.random() * list.length)];

  const worker = async (w) => {
    while (Date.now() < deadline) {
      n++;
      const sub = pick(USERS);
      const roll = Math.random();
      if (roll < 0.45) {
        // A facade create; one in five repeats an id already used (idempotent).
        const again = made.filter(([s, f]) => s === sub && f === "text2video");
        const repeat = again.length > 0 && Math.random() < 0.2;
        const clientId = repeat ? pick(again)[2] : `t-${w}-${n}`;
        if (!repeat) made.push([sub, "text2video", clientId]);
        const r = await call(sub, "POST", T2V, {
          model_name: "kling-v1-6",
          prompt: `shot ${clientId}`,
          duration: "5",
          external_task_id: clientId,
        });
        count(r);
        figures.creates++;
      } else if (roll < 0.6) {
        const clientId = `x-${w}-${n}`;
        made.push([sub, "video-extend", clientId]);
        const r = await call(sub, "POST", "/extensions", { video_id: SOURCE, external_task_id: clientId });
        count(r);
        figures.creates++;
      } else if (roll < 0.7) {
        // Half extend the shared sample; half continue one of the user's own finished videos by
        // next-shot (the service's default method), when one is found.
        let body = { method: "extend", video_id: SOURCE, video_duration: 5 };
        const own = made.filter(([s, f]) => s === sub && f === "text2video");
        if (own.length && Math.random() < 0.5) {
          const got = await call(sub, "GET", `${T2V}/${pick(own)[2]}`);
          const video = got.json?.data?.task_status === "succeed" ? got.json.data.task_result?.videos?.[0] : null;
          if (video) body = { video_id: video.id };
        }
        const r = await call(sub, "POST", "/chains", { ...body, prompts: ["a", "b"], external_task_id: `c-${w}-${n}` });
        count(r);
        if (r.status === 202) {
          figures.chains++;
          if (r.json.method === "next-shot") figures.nextShotChains++;
          chains.push([sub, r.json.id]);
        }
      } else if (roll < 0.8) {
        // A bad session token: expired, wrongly signed, or garbage.
        const bad = pick([await mint(sub, { ttl: -600 }), await mint(sub, { secret: "x".repeat(40) }), "not-a-token"]);
        const r = await rawRequest(url, "POST", T2V, {
          headers: { authorization: `Bearer ${bad}`, "content-type": "application/json" },
          body: JSON.stringify({ model_name: "kling-v1-6", prompt: "free ride" }),
        }).catch(() => ({ status: 0 }));
        if (r.status !== 0) assert.equal(r.status, 401, "a bad token is refused");
        figures.badTokens++;
      } else if (roll < 0.9) {
        // A forged callback: a well-formed token the service never issued.
        const token = userKey(sub) + randomBytes(32).toString("hex");
        const r = await rawRequest(url, "POST", `/callbacks/${token}`, {
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ task_id: "1", task_status: "succeed", final_unit_deduction: "0" }),
        }).catch(() => ({ status: 0 }));
        if (r.status !== 0) assert.equal(r.status, 404, "a forged callback changes nothing");
        figures.forgedCallbacks++;
      } else {
        await call(sub, "GET", "/me");
      }
      if (!restarted && Date.now() > restartAt && w === 0) {
        restarted = true;
        log("restarting the service");
        await mf.dispose();
        await start();
        figures.restarts++;
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  };

  // One chain whose first step fails, resumed once it has.
  sim.configure({ failNextTasks: 1 });
  const failing = await call("ana", "POST", "/chains", {
    method: "extend",
    video_id: SOURCE,
    video_duration: 5,
    prompts: ["fails first"],
    external_task_id: "resume-me",
  });
  assert.equal(failing.status, 202, failing.text);
  chains.push(["ana", failing.json.id]);
  for (let tries = 0; sim.tasks().length === 0; tries++) {
    assert.ok(tries < 200, "the failing chain's first task was made");
    await new Promise((r) => setTimeout(r, 50));
  }
  // One next-shot chain from a video of ben's own, made first (once the failing task is made).
  made.push(["ben", "text2video", "first-source"]);
  const first = await call("ben", "POST", T2V, {
    model_name: "kling-v1-6",
    prompt: "shot first-source", // as a repeat of its id sends it
    duration: "5",
    external_task_id: "first-source",
  });
  assert.equal(first.status, 200, first.text);
  let firstVideo = null;
  for (let tries = 0; !firstVideo; tries++) {
    assert.ok(tries < 200, "the first source finished");
    await new Promise((r) => setTimeout(r, 100));
    const got = await call("ben", "GET", `${T2V}/first-source`);
    if (got.json?.data?.task_status === "succeed") firstVideo = got.json.data.task_result.videos[0];
  }
  const nextShot = await call("ben", "POST", "/chains", { video_id: firstVideo.id, prompts: ["a", "b"], external_task_id: "next-shot" });
  assert.equal(nextShot.status, 202, nextShot.text);
  assert.equal(nextShot.json.method, "next-shot");
  figures.nextShotChains++;
  chains.push(["ben", nextShot.json.id]);
  const workers = [0, 1, 2, 3].map((w) => worker(w));
  const resumer = (async () => {
    for (;;) {
      if (Date.now() > deadline) return;
      const c = await call("ana", "GET", `/chains/${failing.json.id}`);
      if (c.json?.status === "failed") {
        const r = await call("ana", "POST", `/chains/${failing.json.id}/resume`);
        if (r.status === 202) {
          figures.resumed++;
          return;
        }
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  await Promise.all([...workers, resumer]);
  log("load over; settling");

  // Everything ends: reads settle single tasks (and send queued ones), chains run out. A create
  // the service refused (budget, rate) has no record: 404.
  const settleDeadline = Date.now() + Math.max(240_000, seconds * 500);
  const held = new Set();
  let openKinds = {};
  const ended = new Set(); // indexes of `made` seen succeed or failed: never read again
  for (;;) {
    let open = 0;
    openKinds = {};
    const look = async (i) => {
      const [sub, family, clientId] = made[i];
      const path = family === "video-extend" ? `/extensions/${clientId}` : `${T2V}/${clientId}`;
      const r = await call(sub, "GET", path);
      if (r.status === 404) return;
      held.add(klingId(sub, family, clientId));
      const status = family === "video-extend" ? r.json?.status : r.json?.data?.task_status;
      if (status === "succeed" || status === "failed") {
        ended.add(i);
        return;
      }
      open++;
      const why = family === "video-extend" ? status : (r.json?.data?.task_status_msg ?? status ?? r.status);
      openKinds[why] = (openKinds[why] ?? 0) + 1;
    };
    // Sixteen reads at a time, as many users' pages would.
    const todo = made.map((_, i) => i).filter((i) => !ended.has(i));
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let i = todo.shift(); i !== undefined; i = todo.shift()) await look(i);
      }),
    );
    // Every chain of every user: one whose answer the restart cut (status 0) may have been
    // created all the same, and its running step holds a reservation until it ends.
    for (const sub of USERS) {
      const list = (await call(sub, "GET", "/chains?pageSize=50")).json?.data ?? [];
      for (const c of list) {
        if (c.status !== "running") continue;
        open++;
        openKinds["chain running"] = (openKinds["chain running"] ?? 0) + 1;
        if (!chains.some(([s, id]) => s === sub && id === c.id)) {
          // Not seen by the load: made sure it runs (a resume starts a run the restart prevented).
          chains.push([sub, c.id]);
          figures.untrackedChains = (figures.untrackedChains ?? 0) + 1;
          await call(sub, "POST", `/chains/${c.id}/resume`);
        }
      }
    }
    if (open === 0) break;
    if (Date.now() > settleDeadline) throw new Error(`${open} tasks or chains did not end: ${JSON.stringify(openKinds)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }

  // The books.
  const simCreates = sim.requests().filter((r) => r.method === "POST" && r.path.startsWith("/v1/videos/"));
  const simTasks = sim.tasks();
  const units = (t) => (t.task_status === "succeed" ? Number(t.final_unit_deduction ?? 0) : 0);
  let ledgers = 0;
  let atSim = 0;
  for (const sub of USERS) {
    const me = (await call(sub, "GET", "/me")).json;
    assert.equal(me.reserved, 0, `${sub} has nothing left reserved`);
    ledgers += me.spent;
    // This user's chain steps (held by the service as records of theirs).
    const list = (await call(sub, "GET", "/chains?pageSize=50")).json.data;
    for (const c of list) {
      for (const s of c.steps) {
        if (!s.external_task_id) continue;
        // Every try of the step: `<prefix>-<n>`, then `.2`, `.3`… (the record shows the latest),
        // at the step's endpoint.
        for (let k = 1; k <= s.attempt; k++) {
          const id = k === 1 ? `${c.external_task_id}-${s.step}` : `${c.external_task_id}-${s.step}.${k}`;
          const path = s.family === "video-extend" ? `/extensions/${id}` : `/kling/v1/videos/${s.family}/${id}`;
          const r = await call(sub, "GET", path);
          if (r.status === 200) held.add(klingId(sub, s.family, id));
        }
      }
    }
  }
  for (const t of simTasks) atSim += units(t);
  // Every create Kling received names a record the service holds (reserved before it was sent).
  const unreserved = simCreates.filter((r) => !held.has(r.body?.external_task_id));
  const busy = simCreates.filter((r) => r.status === 429).length;
  // Peak concurrency at the simulator, from each task's life.
  const events = [];
  for (const t of simTasks) {
    events.push([t.created_at, 1]);
    events.push([t.updated_at, -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let peak = 0;
  for (const [, d] of events) {
    running += d;
    peak = Math.max(peak, running);
  }
  Object.assign(figures, {
    seconds,
    simCreates: simCreates.length,
    simTasks: simTasks.length,
    ledgerUnits: Math.round(ledgers * 1000) / 1000,
    simUnits: Math.round(atSim * 1000) / 1000,
    unreserved: unreserved.length,
    busyAnswers: busy,
    peakRunning: peak,
    slots: SLOTS,
  });
  await mf.dispose();
  await sim.close();
  rmSync(persist, { recursive: true, force: true });
  // A run that made nothing proves nothing: work of every kind must have happened.
  assert.ok(figures.simTasks >= 10, `tasks were made (${figures.simTasks})`);
  assert.ok(figures.ledgerUnits > 0, "units were spent");
  assert.ok(figures.chains > 0 && figures.resumed === 1, "chains ran, and the failed one was resumed");
  assert.ok(figures.nextShotChains > 0, "next-shot chains ran from users' own videos");
  assert.ok(!Object.keys(figures.answers).some((k) => k.startsWith("500")), `no 500 answers: ${JSON.stringify(figures.answers)}`);
  assert.equal(figures.ledgerUnits, figures.simUnits, "the ledgers equal the simulator's charges");
  assert.equal(figures.unreserved, 0, "no create reached the simulator without a reservation");
  assert.equal(figures.busyAnswers, 0, "no create was made outside the gate (the simulator never answered 1303)");
  assert.ok(peak <= SLOTS, `at most ${SLOTS} tasks ran at once at the simulator (saw ${peak})`);
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const seconds = Number(process.argv[2] ?? 600);
  const figures = await runSoak({ seconds, log: (m) => console.error(`soak: ${m}`) });
  console.log(JSON.stringify(figures, null, 2));
}
