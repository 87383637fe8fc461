// POST /chains, GET /chains, GET /chains/:id, POST /chains/:id/resume — chains of extensions run
// by the `Chain` Workflow (chain.js), kept in the user's Durable Object.

import { config, fromMilli, sourceFor, today, toMilli } from "./config.js";
import { paging } from "./extensions.js";
import { taskEvent, withRun } from "./gate.js";
import { HttpError, json, parseJsonObject, randomHex, readText } from "./http.js";
import { isClientId } from "./ids.js";
import { planChain, price } from "./kling.js";
import { mediaUrl } from "./media.js";
import { accountLedger, dailyBudget, rateLimit, userStore } from "./tasks.js";
import { chainClips, videoUrl } from "./video.js";

/** A page of chains holds at most this many (each carries its steps; none carries its prompts). */
const MAX_CHAINS_PAGE = 50;
/** The longest try number a step id is checked for (`<prefix>-<step>.<try>`). */
const MAX_TRY = 99;

export async function createChain(request, ctx) {
  const { env, user } = ctx;
  const params = parseJsonObject(await readText(request));
  if ("callback_url" in params) {
    throw new HttpError(400, "ERR_KLING_INVALID_REQUEST", "`callback_url` is set by this service", { field: "callback_url" });
  }
  let prefix = params.external_task_id;
  if (prefix === undefined || prefix === null) prefix = `kec-${randomHex(12)}`;
  const chainParams = { ...params, external_task_id: prefix };
  // Every step checked, and a chain that could pass 180 s refused, before anything is reserved.
  const plan = planChain(chainParams);
  // The prefix names every step's try in this service's URLs: the longest must pass the id rule.
  if (typeof prefix !== "string" || !isClientId(`${prefix}-${plan.steps}.${MAX_TRY}`)) {
    throw new HttpError(
      400,
      "ERR_KLING_INVALID_REQUEST",
      "`external_task_id` (the chain's prefix) must be letters, digits, `.`, `_` or `-`, short enough for `<prefix>-<step>.<try>`",
      { field: "external_task_id" },
    );
  }
  const videoId = String(plan.video_id);
  const source = sourceFor(env, user.userKey, videoId, await accountLedger(env).video(videoId));
  // Only the caller's own videos (or shared ones), as for a single extension.
  if (!source) throw new HttpError(404, "ERR_NOT_FOUND", "no such video", { field: "video_id" });
  await affordsFirstStep(ctx, plan, source);
  await rateLimit(env, user.userKey);

  const chainId = `ch-${randomHex(12)}`;
  const instance = `${chainId}-1`;
  const store = userStore(env, user.userKey);
  const r = await store.createChain({
    chainId,
    prefix,
    videoId: String(plan.video_id),
    params: chainParams,
    steps: plan.steps,
    instance,
    now: Date.now(),
    userKey: user.userKey,
  });
  if (r.kind === "conflict") {
    throw new HttpError(400, "ERR_KLING_BAD_REQUEST", "this external_task_id is the prefix of a chain from another video", {
      field: "external_task_id",
      chainId: r.chain.chain_id,
    });
  }
  if (r.kind === "created") await startRun(ctx, r.chain);
  const view = await store.chainView(r.chain.chain_id);
  return json(r.kind === "created" ? 202 : 200, await toChainRecord(env, user.userKey, view), {
    ...ctx.cors,
    location: `/chains/${r.chain.chain_id}`,
  });
}

/**
 * A chain reserves step by step, but one the budgets cannot pay a first step of is refused up
 * front (402, as a single create would be), not started to fail.
 */
async function affordsFirstStep(ctx, plan, source) {
  const { env, user } = ctx;
  const cfg = config(env);
  const cost = toMilli(price("video-extend", { video_id: String(plan.video_id) }, { source }).units);
  const mine = await userStore(env, user.userKey).usage(today(), dailyBudget(user, cfg));
  const account = await accountLedger(env).usage(today(), cfg.accountDaily);
  const remaining = Math.min(mine.remaining, account.remaining);
  if (cost > remaining) {
    throw new HttpError(402, "ERR_BUDGET_EXCEEDED", "the daily unit budget cannot pay this chain's first step", {
      remaining: fromMilli(remaining),
    });
  }
}

/** Starts the chain's current run, for the session's user and within its daily budget. */
async function startRun(ctx, chain) {
  const { userKey, sub, budget } = ctx.user;
  const run = await ctx.env.CHAIN.create({ id: chain.instance, params: { chainId: chain.chain_id, userKey, sub, budget } });
  run[Symbol.dispose]?.(); // an RPC stub, released now rather than by the garbage collector
}

export async function getChain(id, ctx) {
  const view = await viewOf(ctx, id);
  return json(200, await toChainRecord(ctx.env, ctx.user.userKey, view), ctx.cors);
}

/** A page of the caller's chains, newest first: at most 50, each without its prompts. */
export async function listChains(url, ctx) {
  const { pageNum, pageSize } = paging(url.searchParams, MAX_CHAINS_PAGE);
  const views = await userStore(ctx.env, ctx.user.userKey).chains(pageNum, pageSize);
  const data = [];
  for (const view of views) data.push(await toChainRecord(ctx.env, ctx.user.userKey, await checkRun(ctx, view), { prompts: false }));
  return json(200, { data, pageNum, pageSize }, ctx.cors);
}

/** A failed chain runs again from its failed step (the next try's id); finished steps stay. */
export async function resumeChain(id, ctx) {
  const { env, user } = ctx;
  const store = userStore(env, user.userKey);
  const view = await viewOf(ctx, id);
  if (view.chain.status === "succeed") return json(200, await toChainRecord(env, user.userKey, view), ctx.cors);
  if (view.chain.status === "running") {
    // Running already — unless its run was never started (the service stopped in between).
    if (!(await runExists(env, view.chain.instance))) await startRun(ctx, view.chain);
    return json(202, await toChainRecord(env, user.userKey, await store.chainView(view.chain.chain_id)), ctx.cors);
  }
  await rateLimit(env, user.userKey); // a resume makes a paid step run again
  const chain = await store.resumeChain(view.chain.chain_id, Date.now());
  await startRun(ctx, chain);
  return json(202, await toChainRecord(env, user.userKey, await store.chainView(chain.chain_id)), ctx.cors);
}

async function viewOf(ctx, id) {
  if (typeof id !== "string" || id.length < 1 || id.length > 128) throw new HttpError(404, "ERR_NOT_FOUND", "no such chain");
  const view = await userStore(ctx.env, ctx.user.userKey).chainView(id);
  if (!view) throw new HttpError(404, "ERR_NOT_FOUND", "no such chain");
  return checkRun(ctx, view);
}

async function runExists(env, instance) {
  try {
    await withRun(env, instance, (run) => run.status());
    return true;
  } catch {
    return false;
  }
}

/**
 * How long a running chain may go without news before a read wakes its run. Deployed, a
 * Workflow resumes by itself after its host restarts; Miniflare's local engine resumes an
 * instance only when something reaches it (an event). The wake is a task event marked `nudge`:
 * the run asks Kling once, as if a poll were due.
 */
const QUIET_MS = 15_000;

/** A running chain whose Workflow run ended in an error is shown (and kept) as failed. */
async function checkRun(ctx, view) {
  if (view.chain.status !== "running") return view;
  const due = await userStore(ctx.env, ctx.user.userKey).nudge(view.chain.chain_id, Date.now(), QUIET_MS);
  if (due) {
    try {
      const type = due.step ? taskEvent(due.step, due.attempt) : "wake";
      await withRun(ctx.env, due.instance, (run) => run.sendEvent({ type, payload: { nudge: true } }));
    } catch {
      // a run that is gone is reported below
    }
  }
  let status;
  try {
    status = await withRun(ctx.env, view.chain.instance, (run) => run.status());
  } catch {
    return view;
  }
  if (status.status !== "errored" && status.status !== "terminated") return view;
  const error = { code: "ERR_CHAIN_RUN", message: `the chain's run ${status.status}` };
  const store = userStore(ctx.env, ctx.user.userKey);
  await store.chainEnded(view.chain.chain_id, "failed", error, Date.now());
  return store.chainView(view.chain.chain_id);
}

/**
 * The chain as the service shows it: each planned step with its latest try (status, task id,
 * kept video, duration, units), the total length so far and the units spent.
 */
export async function toChainRecord(env, userKey, { chain, steps: tries }, { prompts = true } = {}) {
  const latest = new Map();
  for (const t of tries) latest.set(t.step, t);
  const steps = [];
  let spent = 0;
  let length = null;
  for (const t of tries) if (t.charged) spent += t.charged;
  for (let n = 1; n <= chain.steps; n++) {
    const t = latest.get(n);
    if (!t) {
      steps.push({ step: n, status: "waiting" });
      continue;
    }
    const task = t.task ? JSON.parse(t.task) : null;
    const out = { step: n, attempt: t.attempt, external_task_id: t.client_id, status: t.status ?? "pending", task_id: t.task_id ?? null };
    const video = task?.task_result?.videos?.[0];
    if (video) {
      out.video = { id: String(video.id), url: video.url, duration: video.duration };
      out.duration = Number(video.duration);
      length = out.duration;
    }
    if (t.media && out.video) out.video.media_url = await mediaUrl(env, userKey, t.media);
    // A finished step whose video could not be copied yet: tried again later, shown as such.
    else if (out.video && t.done) out.video.kept = false;
    if (task?.final_unit_deduction !== undefined) out.units = task.final_unit_deduction;
    if (t.status === "failed" && task?.task_status_msg) out.message = task.task_status_msg;
    steps.push(out);
  }
  const params = JSON.parse(chain.params);
  const record = {
    id: chain.chain_id,
    external_task_id: chain.prefix,
    status: chain.status,
    video_id: chain.video_id,
    step_count: chain.steps,
    steps,
    length,
    spent: spent / 1000,
    created_at: chain.created_at,
    updated_at: chain.updated_at,
  };
  if (prompts) record.prompts = params.prompts.map((p) => (typeof p === "string" ? p : (p.prompt ?? "")));
  if (chain.error) record.error = JSON.parse(chain.error);
  if (steps.every((s) => s.status === "succeed")) record.video = steps[steps.length - 1].video;
  // The chain's video so far (its kept clips, joined), for a <video> element.
  if (env.MEDIA && chainClips({ chain, steps: tries }).clips.length) record.video_url = await videoUrl(env, userKey, chain.chain_id);
  return record;
}
