// Row 6 — polling cost: HTTP requests spent per completed task by `waitForExtension` (default
// pollIntervalMs 5000) for tasks of 30 s, 2 min and 10 min, beside the seed guide's fixed
// 15-second loop, and with a callback URL. Nothing waits in real time: the simulator's task timing
// and every interval are scaled down by the same factor (1:SCALE), all tasks run at once, and the
// requests are counted from the simulator's request log.
import { createServer } from "node:http";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { main, pkgUrl, table, log, ROOT } from "./lib.mjs";

const SCALE = Number(process.env.BENCH_POLL_SCALE ?? 25);
const DURATIONS = [30, 120, 600]; // seconds, as the user would live them
const POLL_MS = 5000;
const SEED_MS = 15000;
const fmtDur = (s) => (s < 60 ? `${s} s` : `${s / 60} min`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function run() {
  const { startSimulator } = await import(pathToFileURL(join(ROOT, "sim/index.mjs")).href);
  const { KlingClient } = await import(pkgUrl("index.node.js"));
  const sim = await startSimulator({ timing: { submittedMs: 1, processingMs: 1 } });
  const callbacks = [];
  const hook = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      res.end("ok");
      callbacks.push({ at: performance.now(), task: JSON.parse(body) });
    });
  });
  await new Promise((r) => hook.listen(0, "127.0.0.1", r));
  const hookUrl = `http://127.0.0.1:${hook.address().port}/kling-callback`;
  const kling = new KlingClient({ accessKey: "ak-simulator", secretKey: "sk-simulator", baseUrl: sim.url });
  const waitOpts = { pollIntervalMs: POLL_MS / SCALE, timeoutMs: 3_600_000 };
  const taskPath = (id) => `/v1/videos/video-extend/${id}`;
  const getsOf = (id) => sim.requests().filter((r) => r.method === "GET" && r.path === taskPath(id)).length;
  const setDuration = (seconds) => {
    const total = (seconds * 1000) / SCALE;
    sim.configure({ timing: { submittedMs: Math.round(total * 0.1), processingMs: Math.round(total * 0.9) } });
  };
  const create = async (seconds, extra = {}) => {
    setDuration(seconds);
    const created = await kling.extendVideo({ video_id: "800000000000000001", prompt: `bench ${seconds}`, ...extra });
    return { id: created.task_id, createdAt: performance.now(), endsAt: performance.now() + (seconds * 1000) / SCALE };
  };

  try {
    // Warm the client and the simulator (JIT) so request latency is small beside the intervals.
    const warm = await kling.extendVideo({ video_id: "800000000000000001", prompt: "warm-up" });
    for (let i = 0; i < 300; i++) await kling.getExtension(warm.task_id);
    const jobs = [];
    for (const d of DURATIONS) {
      // 1. extendVideo, then waitForExtension (its first GET is immediate: nothing is known yet).
      const a = await create(d);
      jobs.push(kling.waitForExtension(a.id, waitOpts).then((t) => ({ kind: "wait", d, id: a.id, lateMs: performance.now() - a.endsAt, status: t.task_status })));
      // 2. extendVideoAndWait (the create's answer counts as the first state; polls one interval later).
      setDuration(d);
      const startedB = performance.now();
      jobs.push(kling.extendVideoAndWait({ video_id: "800000000000000001", prompt: `bench-andwait ${d}` }, waitOpts).then((t) => ({ kind: "andWait", d, id: t.task_id, lateMs: performance.now() - (startedB + (d * 1000) / SCALE), status: t.task_status })));
      // 3. The seed guide: sleep 15 s, GET, until done (raw fetch; counted the same way).
      const c = await create(d);
      jobs.push((async () => {
        for (;;) {
          await sleep(SEED_MS / SCALE);
          const t = await kling.getExtension(c.id);
          if (t.task_status === "succeed" || t.task_status === "failed") return { kind: "seed", d, id: c.id, lateMs: performance.now() - c.endsAt, status: t.task_status };
        }
      })());
      // 4. A callback URL: no polling; one confirming GET once the final callback arrives.
      const e = await create(d, { callback_url: hookUrl });
      jobs.push((async () => {
        let cb;
        while (!(cb = callbacks.find((x) => x.task.task_id === e.id && (x.task.task_status === "succeed" || x.task.task_status === "failed")))) await sleep(2);
        const before = getsOf(e.id);
        const t = await kling.getExtension(e.id);
        return { kind: "callback", d, id: e.id, before, lateMs: cb.at - e.endsAt, status: t.task_status, callbacks: callbacks.filter((x) => x.task.task_id === e.id).length };
      })());
    }
    const t0 = performance.now();
    const done = await Promise.all(jobs);
    log(`poll: ${done.length} tasks done in ${((performance.now() - t0) / 1000).toFixed(1)} s (1:${SCALE})`);
    for (const j of done) if (j.status !== "succeed") throw new Error(`task ${j.id} ended ${j.status}`);
    for (const j of done) j.gets = getsOf(j.id);

    const of = (kind, d) => done.find((j) => j.kind === kind && j.d === d);
    const late = (j) => `${((j.lateMs * SCALE) / 1000).toFixed(1)} s`;
    const rows = DURATIONS.map((d) => {
      const w = of("wait", d), aw = of("andWait", d), s = of("seed", d), cb = of("callback", d);
      const expectedWait = Math.ceil(d / (POLL_MS / 1000)) + 1;
      return [
        fmtDur(d),
        `**${w.gets}** (analytic ${expectedWait}); noticed ${late(w)} after the end`,
        `1 + ${aw.gets} = **${1 + aw.gets}**; noticed ${late(aw)} after`,
        `**${s.gets}** (formula ⌈${d}/15⌉ = ${Math.ceil(d / 15)}); noticed ${late(s)} after`,
        `1 + ${cb.gets - cb.before} = **${1 + cb.gets - cb.before}** (${cb.gets - cb.before} GET after the callback; ${cb.callbacks} callbacks received)`,
        `${(w.gets / Math.ceil(d / 15)).toFixed(1)}×`,
      ];
    });
    const w10 = of("wait", 600), s10 = of("seed", 600), cb10 = of("callback", 600);
    return {
      id: "poll",
      title: "6. Polling cost (HTTP requests per completed task)",
      summary: [
        {
          row: "6. Polling, 10-min task",
          value: `waitForExtension ${w10.gets} GETs (30 s: ${of("wait", 30).gets}, 2 min: ${of("wait", 120).gets})`,
          against: `seed 15-s loop ${s10.gets}; callback 1 create + ${cb10.gets - cb10.before} GET`,
          goal: "— (no goal set; callback = 1 confirming GET)",
          ok: cb10.gets - cb10.before === 1 ? true : false,
        },
      ],
      table: table(
        ["task length", "`extendVideo` + `waitForExtension` (GETs)", "`extendVideoAndWait` (create + GETs)", "seed guide: sleep 15 s, GET (GETs)", "callback URL (create + GETs)", "waitForExtension ÷ seed loop"],
        rows,
      ),
      notes: [
        `Method: JS has no virtual clock to give the package, so the simulator's task timing (10 % submitted, 90 % processing) and every interval (pollIntervalMs ${POLL_MS} → ${POLL_MS / SCALE} ms; the seed loop's 15 s → ${SEED_MS / SCALE} ms) are scaled 1:${SCALE}; all ${done.length} tasks run at once against one in-process simulator, and each task's GETs are counted from its request log (\`sim.requests()\`). \"Noticed … after\" is the client's delay past the task's end, scaled back to real seconds.`,
        `\`waitForExtension\` polls at once and then every interval: ⌈d/5⌉ + 1 GETs in theory; each cycle is the interval plus one request's latency (~1–2 ms here, i.e. ~${((1.5 * SCALE) / 1000).toFixed(2)} s at real scale), so the scaled run may count a request or two fewer on long tasks (the client was warmed up with 300 GETs first so JIT warm-up does not stretch the early cycles). \`extendVideoAndWait\` takes the create's answer as the first state and polls one interval later.`,
        "Callback: the simulator POSTs the task on each status change to a local HTTP server; on the final one the client makes one confirming `getExtension` (as the README advises for unsigned callbacks); no polling at all.",
      ],
    };
  } finally {
    await sim.close();
    hook.close();
  }
}

await main(import.meta.url, run);
