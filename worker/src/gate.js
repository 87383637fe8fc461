// The account's concurrency gate: one Durable Object for the whole Kling account (Kling counts
// running tasks per account, so one gate serves every isolate, user and chain). It holds
// `KLING_MAX_CONCURRENT_TASKS` slots as leases: a holder (a task's external id) takes one before
// its create and gives it back when the task ends; a lease not renewed within its TTL expires, so
// a holder that is lost for good cannot leak a slot. Holders that found the gate full wait in
// line (oldest first) and are woken with a Workflow event when a slot comes free.
import { DurableObject } from "cloudflare:workers";

/** Longer than an extension runs at Kling; renewed at every poll of a waiting step. */
export const LEASE_MS = 30 * 60_000;
/** A waiter that has not asked again within this long is gone (waiters ask every 30 s). */
const WAITER_MS = 90_000;
const DEFAULT_SLOTS = 5;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS leases (holder TEXT PRIMARY KEY, expires_at INTEGER NOT NULL, taken_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS waiters (holder TEXT PRIMARY KEY, instance TEXT NOT NULL, type TEXT NOT NULL, since INTEGER NOT NULL, seen_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS stats (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

export const gate = (env) => env.GATE.get(env.GATE.idFromName("account"));

/** Gives a task's slot back (a no-op for a task that holds none). */
export async function releaseSlot(env, holder) {
  if (!env.GATE) return;
  await gate(env).release(holder);
}

/**
 * Runs `use` on the handle of the chain Workflow's instance `id`, then releases the handle: it is
 * an RPC stub, which the garbage collector would release too late (workerd warns of each one).
 */
export async function withRun(env, id, use) {
  const run = await env.CHAIN.get(id);
  try {
    return await use(run);
  } finally {
    run[Symbol.dispose]?.();
  }
}

/** Tells a chain's Workflow that its task `step.attempt` changed (a callback, someone's read). */
export async function notifyChain(env, link, status) {
  if (!env.CHAIN) return;
  try {
    await withRun(env, link.instance, (run) => run.sendEvent({ type: taskEvent(link.step, link.attempt), payload: { status } }));
  } catch (err) {
    // An ended or unknown instance: the Workflow polls anyway, nothing is lost.
    console.warn("chain event not delivered:", String(err));
  }
}

export const taskEvent = (step, attempt) => `task-${step}-${attempt}`;
export const slotEvent = (step, attempt) => `slot-${step}-${attempt}`;

export class ConcurrencyGate extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(SCHEMA);
  }

  slots() {
    const n = Number(this.env.KLING_MAX_CONCURRENT_TASKS);
    return Number.isInteger(n) && n > 0 ? n : DEFAULT_SLOTS;
  }

  expire(now) {
    this.sql.exec("DELETE FROM leases WHERE expires_at <= ?", now);
    this.sql.exec("DELETE FROM waiters WHERE seen_at <= ?", now - WAITER_MS);
  }

  held() {
    return this.sql.exec("SELECT COUNT(*) AS n FROM leases").one().n;
  }

  /**
   * Takes (or renews) a slot for `holder`. When none is free a holder with an `instance` waits in
   * line and is sent the event `type` on it when one frees; one without asks again later (behind
   * the line). Resolves `{ok, running, slots}`.
   */
  acquire({ holder, instance, type, ttlMs = LEASE_MS }) {
    const now = Date.now();
    this.expire(now);
    const slots = this.slots();
    if (this.sql.exec("SELECT 1 FROM leases WHERE holder = ?", holder).toArray().length) {
      this.sql.exec("UPDATE leases SET expires_at = ? WHERE holder = ?", now + ttlMs, holder);
      return { ok: true, running: this.held(), slots };
    }
    const mine = this.sql.exec("SELECT since FROM waiters WHERE holder = ?", holder).toArray()[0];
    const ahead = this.sql
      .exec("SELECT COUNT(*) AS n FROM waiters WHERE since < ? AND holder != ?", mine ? mine.since : now + 1, holder)
      .one().n;
    const running = this.held();
    if (running + ahead < slots) {
      this.sql.exec("INSERT INTO leases (holder, expires_at, taken_at) VALUES (?, ?, ?)", holder, now + ttlMs, now);
      this.sql.exec("DELETE FROM waiters WHERE holder = ?", holder);
      this.sql.exec(
        "INSERT INTO stats (name, value) VALUES ('peak', ?) ON CONFLICT (name) DO UPDATE SET value = MAX(value, excluded.value)",
        running + 1,
      );
      return { ok: true, running: running + 1, slots };
    }
    // Only a holder that can be woken (a chain's Workflow) waits in line. A single create asks
    // again on its own (a lookup, its store's alarm): in line, it would hold the slot that frees
    // for itself until it next asks, and everyone behind it would wait too.
    if (!instance) return { ok: false, running, slots };
    this.sql.exec(
      "INSERT INTO waiters (holder, instance, type, since, seen_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (holder) DO UPDATE SET seen_at = excluded.seen_at, instance = excluded.instance, type = excluded.type",
      holder,
      instance,
      type ?? "",
      now,
      now,
    );
    return { ok: false, running, slots };
  }

  /** Gives a slot back and wakes the oldest waiters for the slots now free. */
  async release(holder) {
    const now = Date.now();
    const gone = this.sql.exec("DELETE FROM leases WHERE holder = ? RETURNING holder", holder).toArray().length;
    if (!gone) return false;
    this.expire(now);
    const free = this.slots() - this.held();
    const next =
      free > 0 ? this.sql.exec("SELECT instance, type FROM waiters WHERE instance != '' ORDER BY since LIMIT ?", free).toArray() : [];
    for (const w of next) {
      try {
        await withRun(this.env, w.instance, (run) => run.sendEvent({ type: w.type, payload: {} }));
      } catch {
        // a waiter that is gone: it drops out of line by itself
      }
    }
    return true;
  }

  /** `{running, slots, peak, waiting}` (the peak since the gate was made). */
  state() {
    this.expire(Date.now());
    const peak = this.sql.exec("SELECT value FROM stats WHERE name = 'peak'").toArray()[0]?.value ?? 0;
    const waiting = this.sql.exec("SELECT COUNT(*) AS n FROM waiters").one().n;
    return { running: this.held(), slots: this.slots(), peak, waiting };
  }
}
