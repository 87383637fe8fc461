// One Durable Object per user (named by the user's key): their tasks and their daily budget
// ledger, in SQLite. Every method runs its SQL synchronously with no await in between, so each
// call is atomic: two creates racing for the last units cannot both reserve them.
import { DurableObject } from "cloudflare:workers";
import { retentionMs } from "./config.js";
import { keepVideo, mediaName } from "./media.js";
import { publicOrigin } from "./origins.js";
import { chargeOf, isFinal, supersedes, toKlingTask, toRecord, videosOf } from "./records.js";
import { sendQueued } from "./tasks.js";

/** A queued create asks the account's gate again this often when nobody else does. */
const QUEUE_RETRY_MS = 5_000;
/** A video that could not be kept is copied again after this long. */
const KEEP_RETRY_MS = 60_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS tasks (
  family TEXT NOT NULL,
  client_id TEXT NOT NULL,
  kling_id TEXT NOT NULL,
  task_id TEXT,
  fingerprint TEXT,
  model TEXT,
  mode TEXT,
  status TEXT NOT NULL,
  task TEXT,
  updated_at INTEGER,
  created_at INTEGER NOT NULL,
  token_hash TEXT NOT NULL,
  day TEXT NOT NULL,
  reserved INTEGER NOT NULL,
  charged INTEGER,
  settled INTEGER NOT NULL DEFAULT 0,
  account_settled INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (family, client_id)
);
CREATE INDEX IF NOT EXISTS tasks_by_task_id ON tasks (task_id);
CREATE UNIQUE INDEX IF NOT EXISTS tasks_by_token ON tasks (token_hash);
CREATE INDEX IF NOT EXISTS tasks_by_age ON tasks (family, created_at);
CREATE TABLE IF NOT EXISTS ledger (day TEXT PRIMARY KEY, reserved INTEGER NOT NULL, spent INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS chains (
  chain_id TEXT PRIMARY KEY,
  prefix TEXT NOT NULL UNIQUE,
  video_id TEXT NOT NULL,
  params TEXT NOT NULL,
  steps INTEGER NOT NULL,
  status TEXT NOT NULL,
  instance TEXT NOT NULL,
  runs INTEGER NOT NULL DEFAULT 1,
  attempt INTEGER NOT NULL DEFAULT 1,
  error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  nudged_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS chains_by_age ON chains (created_at);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chain_steps (
  chain_id TEXT NOT NULL,
  step INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  client_id TEXT NOT NULL UNIQUE,
  instance TEXT NOT NULL,
  media TEXT,
  done INTEGER NOT NULL DEFAULT 0,
  family TEXT NOT NULL DEFAULT 'video-extend',
  PRIMARY KEY (chain_id, step, attempt)
);
`;

/** Columns added after the first schema: added to a store made before them. */
const ADDED_COLUMNS = [
  ["tasks", "params", "TEXT"],
  // A step's task family (chains by method); the steps of chains made before it are extensions.
  ["chain_steps", "family", "TEXT NOT NULL DEFAULT 'video-extend'"],
];

export class UserStore extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(SCHEMA);
    for (const [table, column, type] of ADDED_COLUMNS) {
      const has = this.sql.exec(`SELECT 1 FROM pragma_table_info('${table}') WHERE name = ?`, column).toArray().length;
      if (!has) this.sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
    }
  }

  /** The user's key (what this store is named by), recorded by the first write. */
  userKey() {
    return this.sql.exec("SELECT value FROM meta WHERE name = 'user'").toArray()[0]?.value ?? null;
  }

  /** Who this store is for, for the work its alarm does alone. */
  async remember(userKey) {
    this.sql.exec("INSERT OR IGNORE INTO meta (name, value) VALUES ('user', ?)", userKey);
    // The first record starts the retention clock.
    await this.soon(retentionMs(this.env));
  }

  row(family, clientId) {
    return this.sql.exec("SELECT * FROM tasks WHERE family = ? AND client_id = ?", family, clientId).toArray()[0] ?? null;
  }

  ledger(day) {
    return this.sql.exec("SELECT reserved, spent FROM ledger WHERE day = ?", day).toArray()[0] ?? { reserved: 0, spent: 0 };
  }

  addToLedger(day, reserved, spent) {
    this.sql.exec(
      "INSERT INTO ledger (day, reserved, spent) VALUES (?, ?, ?) ON CONFLICT (day) DO UPDATE SET reserved = reserved + excluded.reserved, spent = spent + excluded.spent",
      day,
      reserved,
      spent,
    );
  }

  /**
   * Reserves a create's worst-case cost, or says why not. The id is the idempotency key: an
   * existing task with the same request is returned, one with a different request is a conflict.
   * `a`: {family, clientId, klingId, fingerprint, model, mode, cost, day, limit, tokenHash, now}.
   */
  async reserve(a) {
    const existing = this.row(a.family, a.clientId);
    if (existing) {
      // The id is bound to the request it was first given with (its checked parameters' digest).
      if (existing.fingerprint !== a.fingerprint) return { kind: "conflict", taskId: existing.task_id };
      return { kind: "existing", row: existing };
    }
    const { reserved, spent } = this.ledger(a.day);
    const remaining = a.limit - reserved - spent;
    if (a.cost > remaining) return { kind: "over", remaining: Math.max(0, remaining) };
    this.sql.exec(
      `INSERT INTO tasks (family, client_id, kling_id, fingerprint, model, mode, status, created_at, token_hash, day, reserved, params)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?)`,
      a.family,
      a.clientId,
      a.klingId,
      a.fingerprint ?? null,
      a.model ?? null,
      a.mode ?? null,
      a.now,
      a.tokenHash,
      a.day,
      a.cost,
      JSON.stringify(a.params),
    );
    this.addToLedger(a.day, a.cost, 0);
    await this.remember(a.userKey);
    return { kind: "reserved" };
  }

  /**
   * A reserved create that is not at Kling and waits for a slot of the account's gate (`queued`),
   * or is about to be sent (`pending`: from then on it may exist at Kling). Only unsent rows move.
   */
  async markUnsent(family, clientId, status) {
    this.sql.exec(
      "UPDATE tasks SET status = ? WHERE family = ? AND client_id = ? AND task_id IS NULL AND status IN ('pending', 'queued')",
      status,
      family,
      clientId,
    );
    const row = this.row(family, clientId);
    if (status === "queued") await this.soon(QUEUE_RETRY_MS);
    return row;
  }

  /** Queued creates, oldest first, with the parameters they are sent with. */
  queued(limit = 20) {
    return this.sql.exec("SELECT * FROM tasks WHERE status = 'queued' ORDER BY created_at LIMIT ?", limit).toArray();
  }

  /** Kling refused the create: the pending record and its reservation go. */
  release(family, clientId) {
    const row = this.row(family, clientId);
    if ((row?.status !== "pending" && row?.status !== "queued") || row.settled) return false;
    this.sql.exec("DELETE FROM tasks WHERE family = ? AND client_id = ?", family, clientId);
    this.addToLedger(row.day, -row.reserved, 0);
    return true;
  }

  /**
   * Applies what a trusted source (a create answer, a verified or confirmed callback, a GET) says
   * about a task. Moves only forward; settles the ledger once when the task ends. Resolves
   * `{row, changed, settle?, videos}`: `settle` is the account's share still to be settled.
   */
  apply(family, clientId, task) {
    const row = this.row(family, clientId);
    if (!row) return null;
    if (row.task_id && String(task.task_id) !== row.task_id) return { row, changed: false, videos: [] };
    let changed = false;
    if (supersedes(row, task)) {
      changed = true;
      const stored = row.task ? JSON.parse(row.task) : {};
      const merged = { ...stored, ...task, created_at: task.created_at ?? stored.created_at };
      this.sql.exec(
        "UPDATE tasks SET task_id = ?, status = ?, task = ?, updated_at = ? WHERE family = ? AND client_id = ?",
        String(task.task_id),
        task.task_status,
        JSON.stringify(merged),
        Number(task.updated_at) || 0,
        family,
        clientId,
      );
      if (isFinal(task.task_status) && !row.settled) {
        const charged = chargeOf(task, row.reserved);
        this.sql.exec("UPDATE tasks SET settled = 1, charged = ? WHERE family = ? AND client_id = ?", charged, family, clientId);
        this.addToLedger(row.day, -row.reserved, charged);
      }
    }
    const now = this.row(family, clientId);
    const settle = now.settled && !now.account_settled ? { charged: now.charged } : null;
    const chain = this.chainLink(family, clientId);
    return { row: now, changed, settle, chain, videos: now.task ? videosOf(now, JSON.parse(now.task)) : [] };
  }

  /** A new callback token for a row whose create is sent again. */
  rebind(family, clientId, tokenHash) {
    this.sql.exec("UPDATE tasks SET token_hash = ? WHERE family = ? AND client_id = ?", tokenHash, family, clientId);
  }

  accountSettled(family, clientId) {
    this.sql.exec("UPDATE tasks SET account_settled = 1 WHERE family = ? AND client_id = ?", family, clientId);
  }

  /** A row by task id or the caller's external id, in a family. */
  find(family, id) {
    return this.sql.exec("SELECT * FROM tasks WHERE family = ? AND task_id = ?", family, id).toArray()[0] ?? this.row(family, id);
  }

  byToken(tokenHash) {
    return this.sql.exec("SELECT * FROM tasks WHERE token_hash = ?", tokenHash).toArray()[0] ?? null;
  }

  /** One page of a family's tasks, newest first; `created` leaves out creates still in doubt. */
  list(family, pageNum, pageSize, { created = false } = {}) {
    const where = created ? "family = ? AND task_id IS NOT NULL" : "family = ?";
    return this.sql
      .exec(
        `SELECT * FROM tasks WHERE ${where} ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?`,
        family,
        pageSize,
        (pageNum - 1) * pageSize,
      )
      .toArray();
  }

  /** Today's budget in milli-units. */
  usage(day, limit) {
    const { reserved, spent } = this.ledger(day);
    return { budget: limit, reserved, spent, remaining: Math.max(0, limit - reserved - spent) };
  }

  // ------------------------------------------------------------------------------------ chains

  /**
   * A new chain, or the one already holding its prefix (`existing`: the same source video;
   * `conflict`: another one). `a`: {chainId, prefix, videoId, params, steps, instance, now}.
   */
  async createChain(a) {
    const held = this.sql.exec("SELECT * FROM chains WHERE prefix = ?", a.prefix).toArray()[0];
    if (held) return held.video_id === a.videoId ? { kind: "existing", chain: held } : { kind: "conflict", chain: held };
    this.sql.exec(
      `INSERT INTO chains (chain_id, prefix, video_id, params, steps, status, instance, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?)`,
      a.chainId,
      a.prefix,
      a.videoId,
      JSON.stringify(a.params),
      a.steps,
      a.instance,
      a.now,
      a.now,
    );
    const chain = this.chain(a.chainId);
    await this.remember(a.userKey);
    return { kind: "created", chain };
  }

  /** A chain by its id or its prefix. */
  chain(id) {
    return this.sql.exec("SELECT * FROM chains WHERE chain_id = ? OR prefix = ?", id, id).toArray()[0] ?? null;
  }

  /** What a Workflow run starts from: the params, the tasks of finished steps, the attempt. */
  chainState(chainId) {
    const chain = this.chain(chainId);
    if (!chain) return null;
    const done = this.sql
      .exec(
        `SELECT t.task FROM chain_steps s JOIN tasks t ON t.family = s.family AND t.client_id = s.client_id
         WHERE s.chain_id = ? AND s.done = 1 ORDER BY s.step`,
        chainId,
      )
      .toArray()
      .map((r) => JSON.parse(r.task));
    return { params: JSON.parse(chain.params), done, attempt: chain.attempt, instance: chain.instance };
  }

  /**
   * Step `step`'s try `attempt` is the task `clientId` of `family` (the step's endpoint), followed
   * by `instance`.
   */
  linkChainTask(chainId, step, attempt, clientId, instance, family = "video-extend") {
    this.sql.exec(
      "INSERT INTO chain_steps (chain_id, step, attempt, client_id, instance, family) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (chain_id, step, attempt) DO UPDATE SET instance = excluded.instance",
      chainId,
      step,
      attempt,
      clientId,
      instance,
      family,
    );
  }

  /** The chain step a task of `family` belongs to, if any (callbacks wake its Workflow). */
  chainLink(family, clientId) {
    return (
      this.sql
        .exec("SELECT chain_id, step, attempt, instance FROM chain_steps WHERE client_id = ? AND family = ?", clientId, family)
        .toArray()[0] ?? null
    );
  }

  /** A step's try succeeded; `media` is its kept clip's name, null when it is not kept yet. */
  async chainStepDone(chainId, step, attempt, media, now) {
    this.sql.exec(
      "UPDATE chain_steps SET done = 1, media = ? WHERE chain_id = ? AND step = ? AND attempt = ?",
      media,
      chainId,
      step,
      attempt,
    );
    this.sql.exec("UPDATE chains SET attempt = 1, updated_at = ? WHERE chain_id = ?", now, chainId);
    if (media === null) await this.soon(KEEP_RETRY_MS);
  }

  /** The chain ended: `succeed`, or `failed` with why (resumable). */
  chainEnded(chainId, status, error, now) {
    this.sql.exec(
      "UPDATE chains SET status = ?, error = ?, updated_at = ? WHERE chain_id = ? AND status = 'running'",
      status,
      error ? JSON.stringify(error) : null,
      now,
      chainId,
    );
  }

  /**
   * A failed chain runs again from its failed step, that step under its next attempt. Resolves
   * the chain with its new instance id, or null when it is not failed.
   */
  resumeChain(chainId, now) {
    const chain = this.chain(chainId);
    if (chain?.status !== "failed") return null;
    const failedTry = this.sql
      .exec("SELECT MAX(attempt) AS a FROM chain_steps WHERE chain_id = ? AND done = 0", chain.chain_id)
      .toArray()[0]?.a;
    const attempt = failedTry ? failedTry + 1 : chain.attempt;
    const runs = chain.runs + 1;
    this.sql.exec(
      "UPDATE chains SET status = 'running', error = NULL, runs = ?, attempt = ?, instance = ?, updated_at = ? WHERE chain_id = ?",
      runs,
      attempt,
      `${chain.chain_id}-${runs}`,
      now,
      chain.chain_id,
    );
    return this.chain(chain.chain_id);
  }

  /**
   * A running chain quiet for `quietMs` (no step recorded, no nudge): the try it is on, to be
   * woken (see chains.js), or null. Marks the nudge.
   */
  nudge(chainId, now, quietMs) {
    const chain = this.chain(chainId);
    if (chain?.status !== "running" || now - Math.max(chain.updated_at, chain.nudged_at) < quietMs) return null;
    this.sql.exec("UPDATE chains SET nudged_at = ? WHERE chain_id = ?", now, chain.chain_id);
    const current = this.sql
      .exec(
        "SELECT step, attempt FROM chain_steps WHERE chain_id = ? AND done = 0 ORDER BY step DESC, attempt DESC LIMIT 1",
        chain.chain_id,
      )
      .toArray()[0];
    return { instance: chain.instance, step: current?.step ?? null, attempt: current?.attempt ?? null };
  }

  /** A chain with every try of every step and its task row (newest try last). */
  chainView(id) {
    const chain = this.chain(id);
    if (!chain) return null;
    const steps = this.sql
      .exec(
        `SELECT s.step, s.attempt, s.client_id, s.family, s.media, s.done, t.task_id, t.status, t.task, t.charged
         FROM chain_steps s LEFT JOIN tasks t ON t.family = s.family AND t.client_id = s.client_id
         WHERE s.chain_id = ? ORDER BY s.step, s.attempt`,
        chain.chain_id,
      )
      .toArray();
    return { chain, steps };
  }

  /** Finished steps whose video is not kept in R2 yet (the copy failed): to try again. */
  unkept(limit = 10) {
    return this.sql
      .exec(
        `SELECT s.chain_id, s.step, s.attempt, t.task FROM chain_steps s JOIN tasks t ON t.family = s.family AND t.client_id = s.client_id
         WHERE s.done = 1 AND s.media IS NULL AND t.status = 'succeed' LIMIT ?`,
        limit,
      )
      .toArray();
  }

  keptMedia(chainId, step, attempt, media) {
    this.sql.exec("UPDATE chain_steps SET media = ? WHERE chain_id = ? AND step = ? AND attempt = ?", media, chainId, step, attempt);
  }

  /**
   * Forgets what is older than `cutoff` (ms): ended chains with their steps, finished tasks (and
   * creates Kling never took), ledger days. Running chains and their tasks stay. Resolves the
   * names of kept videos that go with them, for R2.
   */
  expire(cutoff) {
    const media = [];
    const chains = this.sql.exec("SELECT chain_id FROM chains WHERE status != 'running' AND updated_at < ?", cutoff).toArray();
    for (const { chain_id } of chains) {
      for (const r of this.sql.exec("SELECT media FROM chain_steps WHERE chain_id = ? AND media IS NOT NULL", chain_id).toArray())
        media.push(r.media);
      this.sql.exec("DELETE FROM chain_steps WHERE chain_id = ?", chain_id);
      this.sql.exec("DELETE FROM chains WHERE chain_id = ?", chain_id);
    }
    const old = this.sql
      .exec(
        `SELECT family, client_id, task FROM tasks WHERE created_at < ? AND (settled = 1 OR status = 'queued')
         AND client_id NOT IN (SELECT client_id FROM chain_steps)`,
        cutoff,
      )
      .toArray();
    for (const r of old) {
      for (const v of r.task ? (JSON.parse(r.task).task_result?.videos ?? []) : []) if (v?.id !== undefined) media.push(mediaName(v.id));
      this.sql.exec("DELETE FROM tasks WHERE family = ? AND client_id = ?", r.family, r.client_id);
    }
    this.sql.exec("DELETE FROM ledger WHERE day < ?", new Date(cutoff).toISOString().slice(0, 10));
    return media;
  }

  /** The alarm rings no later than `ms` from now. */
  async soon(ms) {
    const at = Date.now() + ms;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /**
   * The store's own work, when nobody asks: queued creates are sent when the account's gate has
   * room, videos not kept yet are copied again, and what is past retention is forgotten.
   */
  async alarm() {
    const userKey = this.userKey();
    if (!userKey) return;
    const ctx = { env: this.env, user: { userKey }, origin: publicOrigin(this.env), secrets: [], cors: {} };
    for (const row of this.queued()) {
      try {
        await sendQueued(ctx, row);
      } catch (err) {
        console.warn("a queued create was not sent:", String(err?.message ?? err));
      }
    }
    for (const s of this.unkept()) {
      const video = JSON.parse(s.task).task_result?.videos?.[0];
      const name = video ? await keepVideo(this.env, userKey, video).catch(() => null) : null;
      if (name) this.keptMedia(s.chain_id, s.step, s.attempt, name);
    }
    const retention = retentionMs(this.env);
    for (const name of this.expire(Date.now() - retention)) await this.env.MEDIA?.delete(`${userKey}/${name}`);
    if (this.queued(1).length) await this.soon(QUEUE_RETRY_MS);
    else if (this.unkept(1).length) await this.soon(KEEP_RETRY_MS);
    const oldest = this.sql.exec("SELECT MIN(created_at) AS t FROM tasks").toArray()[0]?.t;
    if (oldest) await this.soon(Math.max(oldest + retention - Date.now(), 1000));
  }

  /** One page of chains, newest first. */
  chains(pageNum, pageSize) {
    const ids = this.sql
      .exec("SELECT chain_id FROM chains ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?", pageSize, (pageNum - 1) * pageSize)
      .toArray();
    return ids.map((r) => this.chainView(r.chain_id));
  }
}

export { toKlingTask, toRecord };
