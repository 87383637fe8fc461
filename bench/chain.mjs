// Row 7 — chains: Kling requests per chain step, and how soon the next step follows the last one.
// A durable chain on the service (the real worker bundle in Miniflare, its Chain Workflow against
// the simulator) with signed callbacks and with callbacks switched off, beside the in-process
// chain (`kling.extensions.chain` in Node against the simulator). Each side has its own simulator,
// so every API request in its log is that side's; creates and GETs are counted from the log and
// the delays taken from the timestamps of its request and callback logs. Real clock throughout.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { log, main, median, ms, pkgUrl, ROOT, table } from "./lib.mjs";

const RUNS = Number(process.env.BENCH_CHAIN_RUNS ?? 5); // chains with callbacks, one after another
const PROMPTS = ["Birds fly", "A deer drinks", "Pull back"];
const FOLLOW_MS = 250; // how often the chain's progress is read, as a page following it would
const FAMILY_PATH = "/v1/videos/video-extend";

/**
 * Per step of one chain (`tasks` in order, from the simulator): its creates and GETs in the log,
 * when its task ended (simulator clock = real time here), when its `succeed` callback was sent and
 * answered, and when its create (POST) arrived.
 */
function stepsOf(sim, tasks) {
  const requests = sim.requests();
  const callbacks = sim.callbacks();
  return tasks.map((task) => {
    const ids = [String(task.task_id), task.task_info.external_task_id];
    const creates = requests.filter(
      (r) => r.method === "POST" && r.path === FAMILY_PATH && r.body?.external_task_id === task.task_info.external_task_id,
    );
    const gets = requests.filter((r) => r.method === "GET" && ids.some((id) => r.path === `${FAMILY_PATH}/${id}`));
    const final = callbacks.find((c) => String(c.task_id) === String(task.task_id) && c.task_status === "succeed");
    return {
      creates: creates.length,
      gets: gets.length,
      createAt: creates[0]?.at,
      lastGetAt: gets.at(-1)?.at,
      endedAt: task.updated_at,
      callbackAt: final?.at,
      callbackAnsweredAt: final?.done_at,
    };
  });
}

/** `to(next) - from(step)` for each step that has a next one. */
const gaps = (steps, from, to) => steps.slice(0, -1).map((s, i) => to(steps[i + 1]) - from(s));
const spread = (xs) => (xs.length ? `${ms(median(xs), 0)} / ${ms(Math.max(...xs), 0)}` : "—");

export async function run() {
  const support = await import(pathToFileURL(join(ROOT, "tests/worker/support.mjs")).href);
  const { startPair, startSim, startChain, getJson, until, WEBHOOK_SECRET, SOURCE, FAST } = support;
  const { KlingClient } = await import(pkgUrl("index.node.js"));
  const cleanups = [];
  const t = { after: (fn) => cleanups.push(fn) }; // the test helpers' teardown hook
  try {
    const t0 = performance.now();
    await support.buildBundle();
    log(`chain: worker bundle built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const signed = await startPair(t, { webhookSecret: WEBHOOK_SECRET });
    const polled = await startPair(t, { simOptions: { callbacks: false } });
    const local = await startSim(t);

    /** POST /chains, then read it every FOLLOW_MS until it is done; the chain's tasks in order. */
    const serviceChain = async ({ url, sim }) => {
      const started = performance.now();
      const chain = await startChain(url, { prompts: PROMPTS });
      const done = await until(
        async () => {
          const r = await getJson(`${url}/chains/${chain.id}`);
          if (r.body?.status === "failed") throw new Error(`chain failed: ${JSON.stringify(r.body.error)}`);
          return r.body?.status === "succeed" ? r.body : null;
        },
        { timeoutMs: 120_000, interval: FOLLOW_MS, what: `chain ${chain.id}` },
      );
      const seconds = (performance.now() - started) / 1000;
      const tasks = done.steps.map((s) => sim.tasks().find((x) => String(x.task_id) === String(s.task_id)));
      return { seconds, steps: stepsOf(sim, tasks) };
    };
    const localChain = async () => {
      const kling = new KlingClient({ accessKey: "ak-simulator", secretKey: "sk-simulator", baseUrl: local.url });
      const started = performance.now();
      // No external_task_id (it would make the chain look each step up first) and no
      // pollIntervalMs: the package's default schedule.
      const tasks = await kling.extensions.chain({ video_id: SOURCE, video_duration: 5, prompts: PROMPTS });
      const seconds = (performance.now() - started) / 1000;
      return { seconds, steps: stepsOf(local, tasks) };
    };

    // 1. Signed callbacks: RUNS chains one after another (the first one meets a cold Worker).
    const withCallbacks = [];
    for (let i = 0; i < RUNS; i++) {
      withCallbacks.push(await serviceChain(signed));
      log(`chain: with callbacks ${i + 1}/${RUNS} in ${withCallbacks.at(-1).seconds.toFixed(1)} s`);
    }
    // 2. Without callbacks, and in-process, side by side (each polls on the package's schedule).
    const [withoutCallbacks, inProcess] = await Promise.all([serviceChain(polled), localChain()]);
    log(`chain: without callbacks ${withoutCallbacks.seconds.toFixed(1)} s, in-process ${inProcess.seconds.toFixed(1)} s`);

    const requestsOf = (sim) => sim.requests();
    const otherRequests = (sim, chains) =>
      requestsOf(sim).length - chains.reduce((n, c) => n + c.steps.reduce((m, s) => m + s.creates + s.gets, 0), 0);
    const perStep = (chains, key) => chains.flatMap((c) => c.steps.map((s) => s[key]));
    const countCell = (chains) => {
      const creates = perStep(chains, "creates"),
        gets = perStep(chains, "gets");
      const range = (xs) => (Math.min(...xs) === Math.max(...xs) ? `${xs[0]}` : `${Math.min(...xs)}–${Math.max(...xs)}`);
      return `**${range(creates)} + ${range(gets)}** (GETs per step: ${chains.map((c) => c.steps.map((s) => s.gets).join(", ")).join("; ")})`;
    };
    const allGaps = (chains, from, to) => chains.flatMap((c) => gaps(c.steps, from, to));
    const callbackGaps = allGaps(
      withCallbacks,
      (s) => s.callbackAt,
      (s) => s.createAt,
    );
    const answeredGaps = allGaps(
      withCallbacks,
      (s) => s.callbackAnsweredAt,
      (s) => s.createAt,
    );
    const warmGaps = allGaps(
      withCallbacks.slice(1),
      (s) => s.callbackAt,
      (s) => s.createAt,
    );
    const endGaps = (chains) =>
      allGaps(
        chains,
        (s) => s.endedAt,
        (s) => s.createAt,
      );
    const getGaps = (chains) =>
      allGaps(
        chains,
        (s) => s.lastGetAt,
        (s) => s.createAt,
      );
    const secondsCell = (chains) => `${median(chains.map((c) => c.seconds)).toFixed(1)} s`;

    const sides = [
      [
        "service (Miniflare), signed callbacks",
        withCallbacks,
        signed.sim,
        `${spread(callbackGaps)} (after the Worker answered it: ${spread(answeredGaps)})`,
      ],
      [
        "service (Miniflare), callbacks off",
        [withoutCallbacks],
        polled.sim,
        `— (last GET → next create: ${spread(getGaps([withoutCallbacks]))})`,
      ],
      ["in-process `extensions.chain` (Node)", [inProcess], local, `— (last GET → next create: ${spread(getGaps([inProcess]))})`],
    ];
    const rows = sides.map(([name, chains, sim, delay]) => [
      name,
      `${chains.length} × ${PROMPTS.length}`,
      countCell(chains),
      `${otherRequests(sim, chains)}`,
      delay,
      spread(endGaps(chains)),
      secondsCell(chains),
    ]);

    const gets = perStep(withCallbacks, "gets"),
      creates = perStep(withCallbacks, "creates");
    const ok = creates.every((n) => n === 1) && gets.every((n) => n <= 1);
    const getsPerStep = (chains) => (perStep(chains, "gets").reduce((a, b) => a + b, 0) / perStep(chains, "gets").length).toFixed(1);
    return {
      id: "chain",
      title: "7. Chains (Kling requests per step; callback → next create)",
      summary: [
        {
          row: "7. Chain, Kling requests per step",
          value: `service + signed callbacks: 1 create + ${getsPerStep(withCallbacks)} GET per step; final callback → next create ${spread(callbackGaps)} (median / max)`,
          against: `service, callbacks off: 1 + ${getsPerStep([withoutCallbacks])}; in-process chain: 1 + ${getsPerStep([inProcess])}`,
          goal: "create + ≤ 1 GET per step with callbacks (issue 12)",
          ok,
        },
      ],
      table: table(
        [
          "chain",
          "chains × steps",
          "Kling requests per step (creates + GETs)",
          "other Kling requests",
          "step n's `succeed` callback sent → step n+1's create arrives (median / max)",
          "step n's task ended → step n+1's create (median / max)",
          "chain wall time (median)",
        ],
        rows,
      ),
      notes: [
        `Method: each side has its own simulator (timing ${FAST.submittedMs} ms submitted + ${FAST.processingMs} ms processing, the Worker tests' \`FAST\`), so every API request in its log is that side's; a step's creates are the POSTs carrying its external id, its GETs those of its task id or external id, "other" is whatever else reached Kling. The service is the real worker bundle (\`wrangler deploy --dry-run\`, as \`tests/worker/\` builds it) in Miniflare with every binding of wrangler.toml; chains are posted to \`POST /chains\` (${PROMPTS.length} steps from the 5-s sample) with a minted session and followed by reading \`GET /chains/:id\` every ${FOLLOW_MS} ms. The in-process chain is \`kling.extensions.chain\` with the default schedule and no \`external_task_id\` (with one it would look each step up first). Real clock: no warping (Miniflare runs in its own processes).`,
        `Signed callbacks: the simulator signs with the Worker's \`KLING_WEBHOOK_SECRET\`, so the Worker applies the signed task without asking Kling; ${RUNS} chains one after another. Callbacks off (the simulator's \`callbacks: false\`): the Chain Workflow's wait times out on the package's \`pollIntervalMs\` schedule (first check 5 s after the create) and a check GETs the task; that chain and the in-process one ran side by side, after the callback chains.`,
        `Delay: from the simulator's log timestamps (\`at\` of the \`succeed\` callback delivery and of the next step's POST; \`done_at\` when the Worker answered the callback), ${callbackGaps.length} step boundaries. Between them the Workflow settles the task (the callback route), wakes on its event, releases the gate's slot, copies the video into R2 (a GET of \`/media/…\` from the simulator, not an API request), records the step, reserves the next step's budget, takes a slot and creates. Without the first (cold) chain: ${spread(warmGaps)}. "Task ended" is the simulator's \`updated_at\` of the finished task (its clock is the real one here).`,
      ],
    };
  } finally {
    for (const fn of cleanups.reverse()) await fn();
  }
}

await main(import.meta.url, run);
