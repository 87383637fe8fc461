// POST /chains, GET /chains, GET /chains/:id, POST /chains/:id/resume — chains run by the `Chain`
// Workflow (chain.js), kept in the user's Durable Object. A chain continues a video of the caller's
// by a method (the package's `planChain`): `next-shot` (the default: Omni-Video with the previous
// clip as its reference) or `extend` (video-extend, v1.x sources); `auto` is resolved here, once,
// and the resolved method stored. `last-frame` needs a frame decoder, which a Worker does not have.

import { checkPolicy, config, fromMilli, sourceFor, today, toMilli } from "./config.js";
import { paging } from "./extensions.js";
import { taskEvent, withRun } from "./gate.js";
import { HttpError, json, parseJsonObject, randomHex, readText } from "./http.js";
import { isClientId } from "./ids.js";
import { allowRetired, chainStep, planChain, price } from "./kling.js";
import { mediaUrl } from "./media.js";
import { accountLedger, dailyBudget, rateLimit, userStore } from "./tasks.js";
import { chainClips, videoUrl } from "./video.js";

/** A page of chains holds at most this many (each carries its steps; none carries its prompts). */
const MAX_CHAINS_PAGE = 50;
/** The longest try number a step id is checked for (`<prefix>-<step>.<try>`). */
const MAX_TRY = 99;
/** The method of a chain that names none: a Worker cannot decode frames, and extend is v1.x only. */
export const DEFAULT_METHOD = "next-shot";
/** What the service sets from its own record of the source video: never the caller. */
const SOURCE_FIELDS = ["video_url", "source_model"];

const invalid = (field, message) => new HttpError(400, "ERR_KLING_INVALID_REQUEST", message, { field });

export async function createChain(request, ctx) {
  const { env, user } = ctx;
  const params = parseJsonObject(await readText(request));
  if ("callback_url" in params) throw invalid("callback_url", "`callback_url` is set by this service");
  for (const field of SOURCE_FIELDS) {
    if (field in params) throw invalid(field, `\`${field}\` is set by this service from video_id (its own record of your video)`);
  }
  const method = params.method ?? DEFAULT_METHOD;
  if (method === "last-frame") {
    throw invalid(
      "method",
      "this service cannot decode frames, so it cannot run last-frame chains: run them in the browser with the package (`kling.chains.run` with a client on this service's Kling-compatible facade, /kling), or use next-shot",
    );
  }
  if (params.video_id === undefined || params.video_id === null || params.video_id === "") {
    throw invalid("video_id", "`video_id` must be the id of a video of yours (task_result.videos[0].id)");
  }
  let prefix = params.external_task_id;
  if (prefix === undefined || prefix === null) prefix = `kec-${randomHex(12)}`;
  // The source: only the caller's own videos (or shared ones), as for a single extension.
  const videoId = String(params.video_id);
  const known = await accountLedger(env).video(videoId);
  const source = sourceFor(env, user.userKey, videoId, known);
  if (!source) throw new HttpError(404, "ERR_NOT_FOUND", "no such video", { field: "video_id" });
  const mine = known?.owner === user.userKey ? known : null;
  const chainParams = { ...params, method, external_task_id: prefix };
  // What the service knows of the source: its length, and (for a clip chain) Kling's URL of it,
  // which Kling fetches as the first step's reference; `auto` decides by its model.
  if (mine?.duration) chainParams.video_duration = Number(mine.duration);
  if (method !== "extend") {
    if (mine?.url) chainParams.video_url = mine.url;
    if (method === "auto" && mine?.model) chainParams.source_model = mine.model;
  }
  const options = { allowRetiredModels: allowRetired(env) };
  // Every step checked, and a chain that could pass its length limit refused, before anything is
  // reserved; `auto` resolved once, here.
  let plan;
  try {
    plan = planChain(chainParams, options);
  } catch (err) {
    if (err?.field === "video_url" && !chainParams.video_url) throw noSourceUrl(videoId);
    throw err;
  }
  chainParams.method = plan.method;
  if (plan.method === "extend") {
    delete chainParams.video_url;
    delete chainParams.source_model;
  }
  // The prefix names every step's try in this service's URLs: the longest must pass the id rule.
  if (typeof prefix !== "string" || !isClientId(`${prefix}-${plan.steps}.${MAX_TRY}`)) {
    throw new HttpError(
      400,
      "ERR_KLING_INVALID_REQUEST",
      "`external_task_id` (the chain's prefix) must be letters, digits, `.`, `_` or `-`, short enough for `<prefix>-<step>.<try>`",
      { field: "external_task_id" },
    );
  }
  const requests = stepRequests(chainParams, plan, options);
  // The operator's policy on every step's model and mode, as it is on a single create.
  const cfg = config(env);
  for (const r of requests) {
    try {
      checkPolicy(cfg, r.family, r.params);
    } catch (err) {
      if (err instanceof HttpError) err.message = `step ${r.step} of the chain: ${err.message}`;
      throw err;
    }
  }
  await affordsFirstStep(ctx, requests[0], source);
  await rateLimit(env, user.userKey);

  const chainId = `ch-${randomHex(12)}`;
  const instance = `${chainId}-1`;
  const store = userStore(env, user.userKey);
  const r = await store.createChain({
    chainId,
    prefix,
    videoId,
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

function noSourceUrl(videoId) {
  return invalid(
    "video_id",
    `this service keeps no URL of video ${videoId} (a shared video, or one made before it kept them), and a next-shot chain sends Kling the source's URL: continue a video you made through this service, or use the method extend (v1.x videos)`,
  );
}

/**
 * Every step's request as the package will make it (`chainStep`), each step's input standing in
 * for the clip the step before will make: for the operator's policy on each and the first
 * step's price. The Workflow asks `chainStep` again with the real tasks.
 */
function stepRequests(params, plan, options) {
  const done = [];
  const requests = [];
  for (let n = 1; n <= plan.steps; n++) {
    const next = chainStep(params, done, 1, options);
    if (!next) break;
    requests.push(next);
    const seconds = plan.step_seconds[n - 1];
    const video = { id: `0${n}`, url: params.video_url ?? "https://clip.invalid/step.mp4" };
    if (seconds !== null && seconds !== undefined) video.duration = String(seconds);
    done.push({ task_id: `0${n}`, task_status: "succeed", task_result: { videos: [video] } });
  }
  return requests;
}

/**
 * A chain reserves step by step, but one the budgets cannot pay a first step of is refused up
 * front (402, as a single create would be), not started to fail: the first step priced as the
 * create of its endpoint it is (an extension by its source's model and mode).
 */
async function affordsFirstStep(ctx, first, source) {
  const { env, user } = ctx;
  const cfg = config(env);
  const options = { allowRetiredModels: cfg.allowRetired };
  if (first.family === "video-extend") options.source = source;
  const cost = toMilli(price(first.family, first.params, options).units);
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
 * The chain as the service shows it: its method, each planned step with its latest try (status,
 * endpoint, task id, kept clip, duration, units), the length so far, the units spent and a signed
 * link to the chain's video (`video_url`).
 */
export async function toChainRecord(env, userKey, { chain, steps: tries }, { prompts = true } = {}) {
  const params = JSON.parse(chain.params);
  // Chains stored before chains had methods are extension chains.
  const method = params.method ?? "extend";
  const clipsChain = method !== "extend";
  // A clip chain's length: the source's and every clip in order so far; an extension's result is
  // the whole video.
  let clipsLength = clipsChain && params.video_duration !== undefined ? Number(params.video_duration) : null;
  let inOrder = true;
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
    const out = {
      step: n,
      attempt: t.attempt,
      external_task_id: t.client_id,
      family: t.family ?? "video-extend",
      status: t.status ?? "pending",
      task_id: t.task_id ?? null,
    };
    const video = task?.task_result?.videos?.[0];
    if (video) {
      out.video = { id: String(video.id), url: video.url, duration: video.duration };
      out.duration = Number(video.duration);
      if (!clipsChain) length = out.duration;
      else if (inOrder) clipsLength = (clipsLength ?? 0) + out.duration;
    } else inOrder = false;
    if (t.media && out.video) out.video.media_url = await mediaUrl(env, userKey, t.media);
    // A finished step whose video could not be copied yet: tried again later, shown as such.
    else if (out.video && t.done) out.video.kept = false;
    if (task?.final_unit_deduction !== undefined) out.units = task.final_unit_deduction;
    if (t.status === "failed" && task?.task_status_msg) out.message = task.task_status_msg;
    steps.push(out);
  }
  if (clipsChain) length = clipsLength;
  const record = {
    id: chain.chain_id,
    external_task_id: chain.prefix,
    status: chain.status,
    method,
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
  // An extension chain's last result is the whole video; a clip chain's video is `video_url`.
  if (!clipsChain && steps.every((s) => s.status === "succeed")) record.video = steps[steps.length - 1].video;
  // The chain's video so far (its kept clips, joined after the source's), for a <video> element.
  const { clips, source } = chainClips({ chain, steps: tries });
  if (env.MEDIA && (clips.length || source)) record.video_url = await videoUrl(env, userKey, chain.chain_id);
  return record;
}
