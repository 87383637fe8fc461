// One Durable Object for the whole Kling account: the daily cap on units, and which user each
// video made through the service belongs to (so nobody extends another user's video). SQLite,
// synchronous per call: a reservation is checked and written with nothing in between.
import { DurableObject } from "cloudflare:workers";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS days (day TEXT PRIMARY KEY, reserved INTEGER NOT NULL, spent INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS holds (
  key TEXT PRIMARY KEY, day TEXT NOT NULL, reserved INTEGER NOT NULL, charged INTEGER, state TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS videos (
  video_id TEXT PRIMARY KEY, owner TEXT NOT NULL, model TEXT, mode TEXT, url TEXT, duration TEXT
);
`;

/** Columns added after the first schema: added to a ledger made before them. */
const ADDED_COLUMNS = [
  ["videos", "url", "TEXT"],
  ["videos", "duration", "TEXT"],
];

export class AccountLedger extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(SCHEMA);
    for (const [table, column, type] of ADDED_COLUMNS) {
      const has = this.sql.exec(`SELECT 1 FROM pragma_table_info('${table}') WHERE name = ?`, column).toArray().length;
      if (!has) this.sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
    }
  }

  day(day) {
    return this.sql.exec("SELECT reserved, spent FROM days WHERE day = ?", day).toArray()[0] ?? { reserved: 0, spent: 0 };
  }

  add(day, reserved, spent) {
    this.sql.exec(
      "INSERT INTO days (day, reserved, spent) VALUES (?, ?, ?) ON CONFLICT (day) DO UPDATE SET reserved = reserved + excluded.reserved, spent = spent + excluded.spent",
      day,
      reserved,
      spent,
    );
  }

  hold(key) {
    return this.sql.exec("SELECT * FROM holds WHERE key = ?", key).toArray()[0] ?? null;
  }

  /**
   * Reserves `cost` under the daily `limit`; idempotent per `key` while the hold is held. A hold
   * that was released (the create was refused) or settled is taken again, at its new cost: every
   * create that may be sent is counted. Resolves `{ok, remaining}`.
   */
  reserve({ key, day, cost, limit }) {
    const { reserved, spent } = this.day(day);
    const hold = this.hold(key);
    if (hold?.state === "held") return { ok: true, remaining: Math.max(0, limit - reserved - spent) };
    const remaining = limit - reserved - spent;
    if (cost > remaining) return { ok: false, remaining: Math.max(0, remaining) };
    this.sql.exec(
      "INSERT INTO holds (key, day, reserved, state) VALUES (?, ?, ?, 'held') ON CONFLICT (key) DO UPDATE SET day = excluded.day, reserved = excluded.reserved, charged = NULL, state = 'held'",
      key,
      day,
      cost,
    );
    this.add(day, cost, 0);
    return { ok: true, remaining: remaining - cost };
  }

  /** The create was refused: the hold goes back. */
  release(key) {
    const hold = this.hold(key);
    if (hold?.state !== "held") return false;
    this.sql.exec("UPDATE holds SET state = 'released' WHERE key = ?", key);
    this.add(hold.day, -hold.reserved, 0);
    return true;
  }

  /** The task ended: the hold becomes its charge (0 for a failed task). */
  settle(key, charged) {
    const hold = this.hold(key);
    if (hold?.state !== "held") return false;
    this.sql.exec("UPDATE holds SET state = 'settled', charged = ? WHERE key = ?", charged, key);
    this.add(hold.day, -hold.reserved, charged);
    return true;
  }

  usage(day, limit) {
    const { reserved, spent } = this.day(day);
    return { budget: limit, reserved, spent, remaining: Math.max(0, limit - reserved - spent) };
  }

  /**
   * Records who made each video, with its model, mode, Kling's URL of it and its length (what a
   * next-shot chain from it sends and checks); the first owner stays, and only the owner's
   * record of the video is refreshed.
   */
  claimVideos(owner, videos) {
    for (const v of videos) {
      this.sql.exec(
        `INSERT INTO videos (video_id, owner, model, mode, url, duration) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (video_id) DO UPDATE SET url = COALESCE(excluded.url, url), duration = COALESCE(excluded.duration, duration)
         WHERE owner = excluded.owner`,
        v.id,
        owner,
        v.model ?? null,
        v.mode ?? null,
        v.url ?? null,
        v.duration ?? null,
      );
    }
  }

  video(id) {
    return this.sql.exec("SELECT * FROM videos WHERE video_id = ?", id).toArray()[0] ?? null;
  }
}
