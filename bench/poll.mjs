// Row 6 — polling cost: HTTP requests spent per completed task by `waitForExtension` with its
// default (adaptive) schedule for tasks of 30 s, 2 min and 10 min, beside the seed guide's fixed
// 15-second loop, and with a callback URL. Nothing waits in real time: the whole process (the
// package, the simulator, the seed loop) runs on a clock SCALE times faster than the wall clock,
// all tasks run at once, and the requests are counted from the simulator's request log.
import { createServer } from "node:http";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { log, main, median, pkgUrl, ROOT, table } from "./lib.mjs";

const SCALE = Number(process.env.BENCH_POLL_SCALE ?? 25);
const DURATIONS = [30, 120, 600]; // seconds, as the user would live them
const SEED_MS = 15000;
const fmtDur = (s) => (s < 60 ? `${s} s` : `${s / 60} min`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Makes `Date.now` and `setTimeout` run `scale` times faster; returns the function that undoes
 * it. The package reads its clock through `Date.now` and sleeps through `setTimeout`, and so does
 * the simulator, so the default schedule (which depends on the time waited) runs unchanged, only
 * sooner. `performance.now` stays real, for the run's own duration.
 */
function warpClock(scale) {
  const realNow = Date.now;
  const realSetTimeout = globalThis.setTimeout;
  const [originMs, originPerf] = [realNow(), performance.now()];
  Date.now = () => Math.floor(originMs + (performance.now() - originPerf) * scale);
  globalThis.setTimeout = (fn, ms = 0, ...args) => realSetTimeout(fn, ms / scale, ...args);
  return () => {
    Date.now = realNow;
    globalThis.setTimeout = realSetTimeout;
  };
}

/** The default pause before a poll, `waitedMs` into the wait (`PollSchedule::Adaptive` in src/api/wait.rs). */
const adaptivePauseMs = (waitedMs) => Math.ceil(Math.min(Math.max(waitedMs / 8, 5000), 15000));

/**
 * GETs the default schedule spends on a task that ends `taskMs` after the wait starts, with no
 * request latency: the first poll comes at once (`waitForExtension`) or one pause later
 * (`extendVideoAndWait`, which has the create's answer).
 */
function adaptiveGets(taskMs, { pollAtOnce }) {
  let t = pollAtOnce ? 0 : adaptivePauseMs(0);
  for (let gets = 1; ; gets++) {
    if (t >= taskMs) return gets;
    t += adaptivePauseMs(t);
  }
}

export async function run() {
  const { startSimulator } = await import(pathToFileURL(join(ROOT, "sim/index.mjs")).href);
  const { KlingClient } = await import(pkgUrl("index.node.js"));
  const unwarp = warpClock(SCALE);
  const sim = await startSimulator({ timing: { submittedMs: 1, processingMs: 1 } });
  const callbacks = [];
  const hook = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      res.end("ok");
      callbacks.push({ at: Date.now(), task: JSON.parse(body) });
    });
  });
  await new Promise((r) => hook.listen(0, "127.0.0.1", r));
  const hookUrl = `http://127.0.0.1:${hook.address().port}/kling-callback`;
  const kling = new KlingClient({ accessKey: "ak-simulator", secretKey: "sk-simulator", baseUrl: sim.url });
  // No pollIntervalMs: the default schedule is what this row measures.
  const waitOpts = { timeoutMs: 3_600_000 };
  const taskPath = (id) => `/v1/videos/video-extend/${id}`;
  const getsOf = (id) => sim.requests().filter((r) => r.method === "GET" && r.path === taskPath(id)).length;
  const setDuration = (seconds) => {
    const total = seconds * 1000;
    sim.configure({ timing: { submittedMs: Math.round(total * 0.1), processingMs: Math.round(total * 0.9) } });
  };
  const create = async (seconds, extra = {}) => {
    setDuration(seconds);
    const created = await kling.extensions.create({ video_id: "800000000000000001", prompt: `bench ${seconds}`, ...extra });
    return { id: created.task_id, createdAt: Date.now(), endsAt: Date.now() + seconds * 1000 };
  };

  try {
    // Warm the client and the simulator (JIT) so request latency is small beside the intervals.
    const warm = await kling.extensions.create({ video_id: "800000000000000001", prompt: "warm-up" });
    for (let i = 0; i < 300; i++) await kling.extensions.get(warm.task_id);
    // One GET's real latency after a 5-second pause, as each poll meets it: every real millisecond
    // of it is SCALE warped ones, which the schedule then counts as time waited.
    const latencies = [];
    for (let i = 0; i < 11; i++) {
      await sleep(5000);
      const t = performance.now();
      await kling.extensions.get(warm.task_id);
      latencies.push(performance.now() - t);
    }
    const latencyMs = median(latencies);
    const jobs = [];
    for (const d of DURATIONS) {
      // 1. extendVideo, then waitForExtension (its first GET is immediate: nothing is known yet).
      const a = await create(d);
      jobs.push(
        kling.extensions
          .wait(a.id, waitOpts)
          .then((t) => ({ kind: "wait", d, id: a.id, lateMs: Date.now() - a.endsAt, status: t.task_status })),
      );
      // 2. extendVideoAndWait (the create's answer counts as the first state; polls one pause later).
      setDuration(d);
      const startedB = Date.now();
      jobs.push(
        kling.extensions
          .createAndWait({ video_id: "800000000000000001", prompt: `bench-andwait ${d}` }, waitOpts)
          .then((t) => ({ kind: "andWait", d, id: t.task_id, lateMs: Date.now() - (startedB + d * 1000), status: t.task_status })),
      );
      // 3. The seed guide: sleep 15 s, GET, until done (raw fetch; counted the same way).
      const c = await create(d);
      jobs.push(
        (async () => {
          for (;;) {
            await sleep(SEED_MS);
            const t = await kling.extensions.get(c.id);
            if (t.task_status === "succeed" || t.task_status === "failed")
              return { kind: "seed", d, id: c.id, lateMs: Date.now() - c.endsAt, status: t.task_status };
          }
        })(),
      );
      // 4. A callback URL: no polling; one confirming GET once the final callback arrives.
      const e = await create(d, { callback_url: hookUrl });
      jobs.push(
        (async () => {
          const final = () =>
            callbacks.find((x) => x.task.task_id === e.id && (x.task.task_status === "succeed" || x.task.task_status === "failed"));
          while (!final()) await sleep(50);
          const cb = final();
          const before = getsOf(e.id);
          const t = await kling.extensions.get(e.id);
          return {
            kind: "callback",
            d,
            id: e.id,
            before,
            lateMs: cb.at - e.endsAt,
            status: t.task_status,
            callbacks: callbacks.filter((x) => x.task.task_id === e.id).length,
          };
        })(),
      );
    }
    const t0 = performance.now();
    const done = await Promise.all(jobs);
    log(`poll: ${done.length} tasks done in ${((performance.now() - t0) / 1000).toFixed(1)} s (1:${SCALE})`);
    for (const j of done) if (j.status !== "succeed") throw new Error(`task ${j.id} ended ${j.status}`);
    for (const j of done) j.gets = getsOf(j.id);

    const of = (kind, d) => done.find((j) => j.kind === kind && j.d === d);
    const late = (j) => `${(j.lateMs / 1000).toFixed(1)} s`;
    const rows = DURATIONS.map((d) => {
      const w = of("wait", d),
        aw = of("andWait", d),
        s = of("seed", d),
        cb = of("callback", d);
      const expectedWait = adaptiveGets(d * 1000, { pollAtOnce: true });
      const expectedAndWait = adaptiveGets(d * 1000, { pollAtOnce: false });
      return [
        fmtDur(d),
        `**${w.gets}** (analytic ${expectedWait}); noticed ${late(w)} after the end`,
        `1 + ${aw.gets} = **${1 + aw.gets}** (analytic 1 + ${expectedAndWait}); noticed ${late(aw)} after`,
        `**${s.gets}** (formula ⌈${d}/15⌉ = ${Math.ceil(d / 15)}); noticed ${late(s)} after`,
        `1 + ${cb.gets - cb.before} = **${1 + cb.gets - cb.before}** (${cb.gets - cb.before} GET after the callback; ${cb.callbacks} callbacks received)`,
        `${(w.gets / Math.ceil(d / 15)).toFixed(1)}×`,
      ];
    });
    const w10 = of("wait", 600),
      s10 = of("seed", 600),
      cb10 = of("callback", 600);
    return {
      id: "poll",
      title: "6. Polling cost (HTTP requests per completed task)",
      summary: [
        {
          row: "6. Polling, 10-min task",
          value: `waitForExtension ${w10.gets} GETs (30 s: ${of("wait", 30).gets}, 2 min: ${of("wait", 120).gets})`,
          against: `seed 15-s loop ${s10.gets}; callback 1 create + ${cb10.gets - cb10.before} GET`,
          goal: "— (no goal set; callback = 1 confirming GET)",
          ok: cb10.gets - cb10.before === 1,
        },
      ],
      table: table(
        [
          "task length",
          "`extendVideo` + `waitForExtension` (GETs)",
          "`extendVideoAndWait` (create + GETs)",
          "seed guide: sleep 15 s, GET (GETs)",
          "callback URL (create + GETs)",
          "waitForExtension ÷ seed loop",
        ],
        rows,
      ),
      notes: [
        `Method: the waits use the default schedule (no \`pollIntervalMs\`), which depends on the time waited, so nothing is rescaled by hand: the whole process (the package, the in-process simulator, the seed loop) runs on a clock ${SCALE}× faster than the wall clock (\`Date.now\` and \`setTimeout\` warped), with the simulator's task timing (10 % submitted, 90 % processing) and the seed loop's 15 s as users live them; all ${done.length} tasks run at once, and each task's GETs are counted from the simulator's request log (\`sim.requests()\`). "Noticed … after" is the client's delay past the task's end, in warped (user) seconds.`,
        `\`waitForExtension\` polls at once, then pauses an eighth of the time waited so far, from 5 s to 15 s (every 5 s for the first 40 s, 15 s from 2 minutes on); the analytic count simulates that schedule with no latency. Each cycle also holds one request's latency (median ${latencyMs.toFixed(1)} ms here after a pause, i.e. ${((latencyMs * SCALE) / 1000).toFixed(2)} s warped), which pushes every later poll back, so the run may count a request or two fewer on long tasks (the client was warmed up with 300 GETs first so JIT warm-up does not stretch the early cycles). \`extendVideoAndWait\` takes the create's answer as the first state and polls one pause later.`,
        "Callback: the simulator POSTs the task on each status change to a local HTTP server; on the final one the client makes one confirming `getExtension` (as the README advises for unsigned callbacks); no polling at all.",
      ],
    };
  } finally {
    await sim.close();
    hook.close();
    unwarp();
  }
}

await main(import.meta.url, run);
