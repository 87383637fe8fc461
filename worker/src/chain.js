// The chain as a Cloudflare Workflow: one instance per run of a chain (a resume starts the next
// run). Every side effect is inside a `step.do` whose name is a stable key (`<verb> <step>.<try>…`),
// so an instance restarted anywhere replays what is done and redoes nothing that paid. The chain's
// arithmetic is the package's `chainStep`, fed with the tasks of the finished steps: it says each
// step's endpoint (`family`: video-extend, or omni-video for a next-shot chain) and its request,
// the previous clip as its input. Nothing here reads the clock outside a step. Per step:
//   reserve → slot (the account's gate) → create (idempotent under the step's id)
//   → wait (callback events, else polls on the package's schedule) → finish → keep (R2) → record
import { WorkflowEntrypoint } from "cloudflare:workers";
import { gate, releaseSlot, slotEvent, taskEvent } from "./gate.js";
import { HttpError } from "./http.js";
import { allowRetired, chainStep, getTask, pollIntervalMs } from "./kling.js";
import { keepVideo } from "./media.js";
import { publicOrigin } from "./origins.js";
import { isFinal } from "./records.js";
import { reconcilePending, reserveTask, sendReserved, settle, userStore } from "./tasks.js";

/** Steps that talk to Durable Objects, Kling or R2: retried with backoff on a thrown error. */
const RETRY = { retries: { limit: 8, delay: "2 seconds", backoff: "exponential" }, timeout: "3 minutes" };
/** Keeping a clip: its own failures are caught; this bounds one copy. */
const KEEP = { retries: { limit: 1, delay: "2 seconds" }, timeout: "5 minutes" };
/** A waiter for a slot asks the gate again at least this often (it is woken sooner by an event). */
const SLOT_WAIT_MS = 30_000;
/** Once a callback arrived for a task, the next one is awaited this long before polling again. */
const CALLBACK_GRACE_MS = 5 * 60_000;
/** Kling answered 1303 (tasks outside the gate): the slot goes back, the step waits this long. */
const BUSY_MS = 15_000;

export class Chain extends WorkflowEntrypoint {
  async run(event, step) {
    const { chainId, userKey, sub, budget } = event.payload;
    const env = this.env;
    const c = {
      env,
      chainId,
      userKey,
      // The service's request context, as the Workflow acts for the chain's user. `fromChain`:
      // what the Workflow applies itself does not wake it.
      // Callbacks go to PUBLIC_ORIGIN; `budget` is the starting session's (a resume brings its own).
      ctx: () => ({ env, user: { userKey, sub, budget }, origin: publicOrigin(env), secrets: [], cors: {}, fromChain: true }),
      store: () => userStore(env, userKey),
    };
    const state = await step.do("load", RETRY, () => c.store().chainState(chainId));
    if (!state) return { status: "gone" };
    c.instance = state.instance;
    const done = [...state.done];
    let attempt = state.attempt;
    // A chain stored before chains had methods is an extension chain (POST /chains stores the
    // resolved method of every chain since).
    const params = { method: "extend", ...state.params };
    const options = { allowRetiredModels: allowRetired(env) };
    for (;;) {
      let next;
      try {
        next = chainStep(params, done, attempt, options);
      } catch (err) {
        return this.end(step, c, "failed", errorOf(err, done.length + 1));
      }
      if (!next) break;
      const result = await this.runStep(step, c, next, attempt);
      if (result.error) return this.end(step, c, "failed", result.error);
      done.push(result.task);
      attempt = 1;
    }
    return this.end(step, c, "succeed", null);
  }

  async end(step, c, status, error) {
    await step.do("end", RETRY, () => c.store().chainEnded(c.chainId, status, error, Date.now()));
    return { status, error };
  }

  /** One step of the chain, try `attempt`. Resolves `{task}` or `{error}`. */
  async runStep(step, c, next, attempt) {
    const n = next.step;
    const tag = `${n}.${attempt}`;
    const clientId = next.params.external_task_id;
    const { family } = next;
    const reserved = await step.do(`reserve ${tag}`, RETRY, async () => {
      // Linked first: a callback that beats the create's answer finds its chain.
      await c.store().linkChainTask(c.chainId, n, attempt, clientId, c.instance, family);
      return definite(async () => {
        const r = await reserveTask(c.ctx(), family, next.params, { rateLimited: false });
        return { status: r.row.status, holder: r.row.kling_id };
      });
    });
    if (reserved.error) return { error: { ...reserved.error, step: n } };
    const { holder } = reserved;
    let status = reserved.status;

    for (let round = 1; !isFinal(status); round++) {
      await this.takeSlot(step, c, holder, n, attempt, `${tag}.${round}`);
      if (status !== "pending") break; // created by an earlier run: only its slot was missing
      const created = await step.do(`create ${tag}.${round}`, RETRY, async () => {
        const r = await definite(async () => {
          const sent = await sendReserved(c.ctx(), family, clientId);
          // No slot after all, or Kling busy: the row stays reserved and this step waits.
          return sent.kind === "queued" ? { busy: true } : { status: sent.row.status };
        });
        if (r.error || r.busy) await releaseSlot(c.env, holder);
        return r;
      });
      if (created.error) return { error: { ...created.error, step: n } };
      if (!created.busy) {
        status = created.status;
        break;
      }
      await step.sleep(`busy ${tag}.${round}`, BUSY_MS);
    }

    let waited = 0;
    let heard = false;
    for (let k = 1; !isFinal(status); k++) {
      const ms = heard ? CALLBACK_GRACE_MS : pollIntervalMs(waited);
      let event = null;
      try {
        event = await step.waitForEvent(`wait ${tag}.${k}`, { type: taskEvent(n, attempt), timeout: ms });
      } catch (err) {
        if (!isTimeout(err)) throw err;
      }
      const nudge = Boolean(event?.payload?.nudge);
      if (event && !nudge) {
        heard = true;
        if (!isFinal(event.payload?.status)) continue;
      } else if (!event) {
        waited += ms;
      }
      // After a final event the record already says so; after a timeout (or a nudge) Kling is asked.
      status = await step.do(`check ${tag}.${k}`, RETRY, () => this.check(c, family, clientId, holder, !event || nudge));
    }

    const finished = await step.do(`finish ${tag}`, RETRY, async () => {
      await releaseSlot(c.env, holder);
      const row = await c.store().find(family, clientId);
      return { status: row.status, task: JSON.parse(row.task) };
    });
    if (finished.status !== "succeed") {
      const message = finished.task.task_status_msg || "the task failed";
      return { error: { code: "ERR_KLING_TASK_FAILED", message, step: n, taskId: String(finished.task.task_id) } };
    }
    // Keeping the clip never fails or holds up the chain: a copy that fails is left to the user's
    // store, which tries again later (and the chain shows the clip as not kept yet).
    const media = await step.do(`keep ${tag}`, KEEP, async () => {
      try {
        return await keepVideo(c.env, c.userKey, finished.task.task_result.videos[0]);
      } catch (err) {
        console.warn("keeping a chain's clip failed; it is tried again later:", String(err?.message ?? err));
        return null;
      }
    });
    await step.do(`record ${tag}`, RETRY, () => c.store().chainStepDone(c.chainId, n, attempt, media, Date.now()));
    return { task: finished.task };
  }

  /** Takes a slot of the account's gate, waiting in line (woken by the gate) when it is full. */
  async takeSlot(step, c, holder, n, attempt, tag) {
    for (let k = 1; ; k++) {
      const got = await step.do(`slot ${tag}.${k}`, RETRY, () =>
        gate(c.env).acquire({ holder, instance: c.instance, type: slotEvent(n, attempt) }),
      );
      if (got.ok) return;
      try {
        await step.waitForEvent(`slot wait ${tag}.${k}`, { type: slotEvent(n, attempt), timeout: SLOT_WAIT_MS });
      } catch (err) {
        if (!isTimeout(err)) throw err;
      }
    }
  }

  /** The task's status now: from the record, or asked of Kling (`poll`); renews the slot's lease. */
  async check(c, family, clientId, holder, poll) {
    const ctx = c.ctx();
    let row = await c.store().find(family, clientId);
    if (poll && !isFinal(row.status)) {
      if (row.status === "pending" || row.status === "queued") {
        // In doubt: looked up by its id, sent again only if Kling does not have it.
        row = (await reconcilePending(ctx, family, row, { send: true })).row;
      } else {
        row = (await settle(ctx, family, clientId, await getTask(c.env, family, row.task_id))).row;
      }
    }
    if (!isFinal(row.status)) await gate(c.env).acquire({ holder });
    return row.status;
  }
}

/**
 * Runs `fn`; a definite refusal (the caller's request, the budget, Kling's 4xx) resolves
 * `{error}`, Kling's 1303 `{busy: true}`; anything else is thrown so that the step is retried.
 */
async function definite(fn) {
  try {
    return await fn();
  } catch (err) {
    if (err && err.code === "ERR_KLING_CONCURRENCY") return { busy: true };
    if (err instanceof HttpError && err.status < 500) return { error: errorOf(err) };
    if (err && err.name === "KlingError" && err.retryable === false && !err.taskMayExist) return { error: errorOf(err) };
    throw err;
  }
}

function errorOf(err, step) {
  const error = { code: err.code ?? "ERR_INTERNAL", message: String(err.message ?? err) };
  for (const name of ["field", "apiCode", "taskId", "remaining"]) {
    const value = err[name] ?? err.extra?.[name];
    if (value !== undefined && value !== null) error[name] = value;
  }
  if (step !== undefined) error.step = step;
  return error;
}

const isTimeout = (err) => /timed out|timeout/i.test(`${err?.name} ${err?.message}`) && !String(err?.message).startsWith("Aborting engine");
