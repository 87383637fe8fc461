// One Durable Object per user (named by the user's key): their tasks and their daily budget
// ledger, in SQLite. Every method runs its SQL synchronously with no await in between, so each
// call is atomic: two creates racing for the last units cannot both reserve them.
import { DurableObject } from "cloudflare:workers";
import { chargeOf, isFinal, supersedes, toKlingTask, toRecord, videosOf } from "./records.js";

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
`;

export class UserStore extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(SCHEMA);
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
      day, reserved, spent,
    );
  }

  /**
   * Reserves a create's worst-case cost, or says why not. The id is the idempotency key: an
   * existing task with the same request is returned, one with a different request is a conflict.
   * `a`: {family, clientId, klingId, fingerprint, model, mode, cost, day, limit, tokenHash, now}.
   */
  reserve(a) {
    const existing = this.row(a.family, a.clientId);
    if (existing) {
      if (a.family === "video-extend" && existing.fingerprint !== a.fingerprint) return { kind: "conflict", taskId: existing.task_id };
      return { kind: "existing", row: existing };
    }
    const { reserved, spent } = this.ledger(a.day);
    const remaining = a.limit - reserved - spent;
    if (a.cost > remaining) return { kind: "over", remaining: Math.max(0, remaining) };
    this.sql.exec(
      `INSERT INTO tasks (family, client_id, kling_id, fingerprint, model, mode, status, created_at, token_hash, day, reserved)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)`,
      a.family, a.clientId, a.klingId, a.fingerprint ?? null, a.model ?? null, a.mode ?? null, a.now, a.tokenHash, a.day, a.cost,
    );
    this.addToLedger(a.day, a.cost, 0);
    return { kind: "reserved" };
  }

  /** Kling refused the create: the pending record and its reservation go. */
  release(family, clientId) {
    const row = this.row(family, clientId);
    if (!row || row.status !== "pending" || row.settled) return false;
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
        String(task.task_id), task.task_status, JSON.stringify(merged), Number(task.updated_at) || 0, family, clientId,
      );
      if (isFinal(task.task_status) && !row.settled) {
        const charged = chargeOf(task, row.reserved);
        this.sql.exec("UPDATE tasks SET settled = 1, charged = ? WHERE family = ? AND client_id = ?", charged, family, clientId);
        this.addToLedger(row.day, -row.reserved, charged);
      }
    }
    const now = this.row(family, clientId);
    const settle = now.settled && !now.account_settled ? { charged: now.charged } : null;
    return { row: now, changed, settle, videos: now.task ? videosOf(now, JSON.parse(now.task)) : [] };
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
    return (
      this.sql.exec("SELECT * FROM tasks WHERE family = ? AND task_id = ?", family, id).toArray()[0] ?? this.row(family, id)
    );
  }

  byToken(tokenHash) {
    return this.sql.exec("SELECT * FROM tasks WHERE token_hash = ?", tokenHash).toArray()[0] ?? null;
  }

  /** One page of a family's tasks, newest first; `created` leaves out creates still in doubt. */
  list(family, pageNum, pageSize, { created = false } = {}) {
    const where = created ? "family = ? AND task_id IS NOT NULL" : "family = ?";
    return this.sql
      .exec(`SELECT * FROM tasks WHERE ${where} ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?`, family, pageSize, (pageNum - 1) * pageSize)
      .toArray();
  }

  /** Today's budget in milli-units. */
  usage(day, limit) {
    const { reserved, spent } = this.ledger(day);
    return { budget: limit, reserved, spent, remaining: Math.max(0, limit - reserved - spent) };
  }
}

export { toKlingTask, toRecord };
