// Creating, reading and settling a user's tasks: shared by the /extensions routes, the Kling
// facade, the chains and the callbacks. Order of a create: the package's checks and price → rate
// limit → the user's reservation → the account's → a slot of the account's gate → Kling (through
// the package) → the record. Nothing reaches Kling unreserved or outside the gate.
import { checkPolicy, config, fromMilli, sourceFor, today, toMilli } from "./config.js";
import { gate, notifyChain, releaseSlot } from "./gate.js";
import { HttpError, sha256Hex } from "./http.js";
import { clientIdOf, klingExternalId, newCallbackToken } from "./ids.js";
import { checkParams, createTask, getTask, isValidId, price } from "./kling.js";
import { keepVideos } from "./media.js";
import { isFinal } from "./records.js";

export const userStore = (env, userKey) => env.USERS.get(env.USERS.idFromName(userKey));
export const accountLedger = (env) => env.ACCOUNT.get(env.ACCOUNT.idFromName("account"));

const RATE_PERIOD_S = 60;

/** Per-user creates per minute, by the Rate Limiting binding. */
export async function rateLimit(env, userKey) {
  const limiter = env.USER_CREATES_PER_MINUTE;
  if (!limiter) return;
  const { success } = await limiter.limit({ key: userKey });
  if (!success) {
    throw new HttpError(
      429,
      "ERR_RATE_LIMITED",
      "too many creates; wait a minute",
      { retryAfter: RATE_PERIOD_S },
      { "retry-after": String(RATE_PERIOD_S) },
    );
  }
}

/** The user's daily budget (milli-units): their session's, else `USER_DAILY_UNITS`. */
export const dailyBudget = (user, cfg) => user.budget ?? cfg.userDaily;

const notFound = (what = "no such task") => new HttpError(404, "ERR_NOT_FOUND", what);

/**
 * Before anything is reserved: the package's checks (what would be sent), the operator's policy,
 * the source of an extension (only the caller's own), and the package's worst-case price.
 */
async function quote(env, cfg, user, family, params) {
  // The caller's id is the service's (clientIdOf); Kling receives one derived from it.
  const { external_task_id: _own, ...request } = params;
  const rules = { allowRetiredModels: cfg.allowRetired };
  const checked = checkParams(family, request, rules);
  checkPolicy(cfg, family, checked);
  let source;
  if (family === "video-extend") {
    const videoId = String(checked.video_id);
    source = sourceFor(env, user.userKey, videoId, await accountLedger(env).video(videoId));
    // Another user's video, or one of unknown owner, is answered exactly like a missing one.
    if (!source) throw new HttpError(404, "ERR_NOT_FOUND", "no such video", { field: "video_id" });
  }
  const p = price(family, checked, { ...rules, source });
  return { checked, cost: toMilli(p.units), model: p.model, mode: p.mode, fingerprint: await sha256Hex(JSON.stringify(checked)) };
}

/**
 * Creates a task for `user`. Resolves `{kind, row}`: `created`, `existing` (same id, same
 * request), `queued` (reserved, waiting for a slot of the account's gate: sent when one frees) or
 * `pending` (Kling may or may not have it: kept, answered 202, reconciled by lookup).
 */
export async function create(ctx, family, params) {
  const r = await reserveTask(ctx, family, params);
  if (r.kind === "existing") {
    if (r.row.status === "queued") return send(ctx, family, r.row);
    if (r.row.status !== "pending") return { kind: "existing", row: r.row };
    return reconcilePending(ctx, family, r.row, { send: true });
  }
  return send(ctx, family, r.row);
}

/**
 * The part of a create before anything reaches Kling: checks, policy, price, rate limit (unless
 * `rateLimited: false`: a chain's steps count once, at POST /chains), the user's reservation and
 * the account's. Resolves `{kind: "reserved" | "existing", row}`; idempotent per external id, and
 * an id given again with another request is refused.
 */
export async function reserveTask(ctx, family, params, { rateLimited = true } = {}) {
  const { env, user } = ctx;
  if ("callback_url" in params) {
    throw new HttpError(400, "ERR_KLING_INVALID_REQUEST", "`callback_url` is set by this service", { field: "callback_url" });
  }
  const cfg = config(env);
  const clientId = clientIdOf(params);
  const { checked, cost, model, mode, fingerprint } = await quote(env, cfg, user, family, params);
  if (rateLimited) await rateLimit(env, user.userKey);

  const day = today();
  const store = userStore(env, user.userKey);
  const klingId = await klingExternalId(env.KLING_EDGE_SESSION_SECRET, user.userKey, family, clientId);
  const { token, hash } = await newCallbackToken(env, user.userKey);
  ctx.secrets.push(token);
  ctx.tokens = new Map([[hash, token]]);
  const r = await store.reserve({
    family,
    clientId,
    klingId,
    fingerprint,
    model,
    mode,
    cost,
    day,
    limit: dailyBudget(user, cfg),
    tokenHash: hash,
    now: Date.now(),
    params: checked,
    userKey: user.userKey,
  });
  if (r.kind === "conflict") {
    throw new HttpError(400, "ERR_KLING_BAD_REQUEST", "this external_task_id is held by a task with a different request", {
      field: "external_task_id",
      taskId: r.taskId ?? null,
    });
  }
  if (r.kind === "over") throw budgetExceeded(r.remaining);
  if (r.kind === "existing") return { kind: "existing", row: r.row };

  const key = holdKey(user.userKey, family, clientId);
  const held = await accountLedger(env).reserve({ key, day, cost, limit: cfg.accountDaily });
  if (!held.ok) {
    await store.release(family, clientId);
    const mine = await store.usage(day, dailyBudget(user, cfg));
    throw budgetExceeded(Math.min(held.remaining, mine.remaining));
  }
  return { kind: "reserved", row: await store.find(family, clientId) };
}

/**
 * Sends the create of a reserved row. Safe to repeat: the package's create is idempotent under
 * the row's external id (a task Kling already holds is returned, nothing is created twice).
 */
export async function sendReserved(ctx, family, clientId) {
  const row = await userStore(ctx.env, ctx.user.userKey).find(family, clientId);
  if (!row) throw notFound();
  if (row.status !== "pending" && row.status !== "queued") return { kind: "existing", row };
  return send(ctx, family, row);
}

/** A queued create, sent by its store's alarm when nobody else asks. */
export function sendQueued(ctx, row) {
  return send(ctx, row.family, row);
}

const holdKey = (userKey, family, clientId) => `${userKey}:${family}:${clientId}`;

function budgetExceeded(remainingMilli) {
  return new HttpError(402, "ERR_BUDGET_EXCEEDED", "this create would pass the daily unit budget", {
    remaining: fromMilli(remainingMilli),
  });
}

/**
 * Sends the create of a reserved row, inside a slot of the account's gate (every create takes one:
 * Kling counts running tasks per account). No slot, or Kling busy (1302, 1303): the row stays
 * reserved as `queued` and is sent later. A definite refusal releases the reservation; a failure
 * that leaves the task in doubt keeps it `pending`.
 */
async function send(ctx, family, reserved) {
  const { env, user } = ctx;
  const store = userStore(env, user.userKey);
  let row = reserved;
  const slot = await gate(env).acquire({ holder: row.kling_id });
  if (!slot.ok) return { kind: "queued", row: await store.markUnsent(family, row.client_id, "queued") };
  if (row.status === "queued") row = await store.markUnsent(family, row.client_id, "pending");
  const params = JSON.parse(row.params);
  const callbackUrl = `${ctx.origin}/callbacks/${await tokenFor(ctx, row)}`;
  let task;
  try {
    task = await createTask(env, family, { ...params, external_task_id: row.kling_id, callback_url: callbackUrl });
  } catch (err) {
    if (err && err.name === "KlingError") ownIds(err, row);
    // Whether the task may exist is the package's word, taken as it sets it.
    if (err?.taskMayExist === true) return { kind: "pending", row };
    await releaseSlot(env, row.kling_id);
    if (BUSY.includes(err?.code)) return { kind: "queued", row: await store.markUnsent(family, row.client_id, "queued") };
    await store.release(family, row.client_id);
    await accountLedger(env).release(holdKey(user.userKey, family, row.client_id));
    throw err;
  }
  const applied = await settle(ctx, family, row.client_id, task);
  return { kind: "created", row: applied.row };
}

/** Kling's answers that created nothing and mean "later": the create waits in the queue. */
const BUSY = ["ERR_KLING_CONCURRENCY", "ERR_KLING_RATE_LIMITED"];

/** The caller sees their own external id in an error, never the id derived for Kling. */
function ownIds(err, row) {
  const swap = (v) => (typeof v === "string" ? v.split(row.kling_id).join(row.client_id) : v);
  try {
    err.message = swap(err.message);
    if (err.externalTaskId !== undefined) err.externalTaskId = row.client_id;
  } catch {
    // a frozen error keeps its fields; the answer's redaction still applies
  }
}

/**
 * The callback token of a row. Only its hash is stored, so a retried send of an in-doubt create
 * gets a new token bound to the same row.
 */
async function tokenFor(ctx, row) {
  const recent = ctx.tokens?.get(row.token_hash);
  if (recent) return recent;
  const { token, hash } = await newCallbackToken(ctx.env, ctx.user.userKey);
  ctx.secrets.push(token);
  await userStore(ctx.env, ctx.user.userKey).rebind(row.family, row.client_id, hash);
  return token;
}

/**
 * Applies a trusted task object to a user's row, records who owns its videos, and settles the
 * account's hold when the task has ended. Idempotent.
 */
export async function settle(ctx, family, clientId, task, { notify = true } = {}) {
  const { env, user } = ctx;
  const store = userStore(env, user.userKey);
  const applied = await store.apply(family, clientId, task);
  if (!applied) throw notFound();
  if (applied.videos.length) await accountLedger(env).claimVideos(user.userKey, applied.videos);
  if (applied.settle) {
    await accountLedger(env).settle(holdKey(user.userKey, family, clientId), applied.settle.charged);
    await store.accountSettled(family, clientId);
  }
  const { chain, row } = applied;
  if (isFinal(row.status)) await releaseSlot(env, row.kling_id); // idempotent
  // A chain's Workflow hears of every change it did not make itself (callbacks, others' reads).
  if (chain && applied.changed && notify && !ctx.fromChain) await notifyChain(env, chain, row.status);
  // Single tasks are kept here; a chain's Workflow keeps its own videos in a step.
  if (!chain && applied.settle && row.status === "succeed")
    await keepVideos(env, user.userKey, row).catch((err) => console.error("keeping a video failed:", String(err)));
  return applied;
}

/**
 * An in-doubt create: looked up at Kling by its external id. Found → recorded. Not found and
 * `send` → sent again under the same id and reservation (the package's idempotent create).
 */
export async function reconcilePending(ctx, family, row, { send: resend = false } = {}) {
  if (row.status === "queued") return send(ctx, family, row); // never sent: nothing to look up
  try {
    const task = await getTask(ctx.env, family, row.kling_id);
    const applied = await settle(ctx, family, row.client_id, task);
    return { kind: "existing", row: applied.row };
  } catch (err) {
    if (err && err.code === "ERR_KLING_NOT_FOUND") {
      if (resend) return send(ctx, family, row);
      // Not at Kling: it runs nowhere, so it holds none of the account's slots until it is sent
      // again (a create cut off by a restart would otherwise keep its slot for a whole lease).
      await releaseSlot(ctx.env, row.kling_id);
      return { kind: "pending", row };
    }
    if (err && err.name === "KlingError") return { kind: "pending", row };
    throw err;
  }
}

/** The caller's row by task id or own external id, refreshed from Kling while it runs. */
export async function read(ctx, family, id, { refresh = true } = {}) {
  if (typeof id !== "string" || !isValidId(id)) throw notFound();
  const store = userStore(ctx.env, ctx.user.userKey);
  const row = await store.find(family, id);
  if (!row) throw notFound();
  if (row.status === "pending" || row.status === "queued") return (await reconcilePending(ctx, family, row)).row;
  if (!refresh || isFinal(row.status)) return row;
  const task = await getTask(ctx.env, family, row.task_id);
  return (await settle(ctx, family, row.client_id, task)).row;
}

/** One page of the caller's tasks of a family, newest first. */
export function list(ctx, family, pageNum, pageSize, options) {
  return userStore(ctx.env, ctx.user.userKey).list(family, pageNum, pageSize, options);
}

/** Today's budget of the caller, in units. */
export async function usage(ctx) {
  const cfg = config(ctx.env);
  const u = await userStore(ctx.env, ctx.user.userKey).usage(today(), dailyBudget(ctx.user, cfg));
  const a = await accountLedger(ctx.env).usage(today(), cfg.accountDaily);
  return {
    user: ctx.user.sub,
    day: today(),
    budget: fromMilli(u.budget),
    reserved: fromMilli(u.reserved),
    spent: fromMilli(u.spent),
    remaining: fromMilli(Math.min(u.remaining, a.remaining)),
  };
}
