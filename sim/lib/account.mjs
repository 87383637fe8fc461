// GET /account/costs: the account's resource packs, as Kling's API documentation describes them. The
// answer is wrapped twice: the usual envelope, and inside `data` its own code, msg and
// resource_pack_subscribe_infos. What remains of a pack falls as tasks succeed and are charged
// their final_unit_deduction.
import { ApiError } from "./http.mjs";
import { taskView } from "./task-view.mjs";

const DAY_MS = 24 * 60 * 60 * 1000;
const TYPES = Object.freeze(["decreasing_total", "constant_period"]);

/** One pack of 1000 units, bought a week before the simulator started, valid for a year. */
export const DEFAULT_PACKS = Object.freeze([Object.freeze({ name: "Video Generation Pack", type: "decreasing_total", total: 1000 })]);

export class Account {
  #packs = [];

  /**
   * @param {object} deps
   * @param {() => number} deps.now  simulator clock, ms
   * @param {{ all(): object[] }} deps.store  the tasks, whose charges the packs pay
   * @param {object[]} [deps.packs]  pack definitions (see configure)
   */
  constructor({ now, store, packs = DEFAULT_PACKS }) {
    this.now = now;
    this.store = store;
    this.configure(packs);
  }

  /**
   * Replaces the packs: `[{ name, total, type?, id?, purchaseTime?, effectiveTime?, invalidTime? }]`
   * (times in ms; by default bought and effective 7 days ago, invalid 365 days after that).
   * Validates the whole list before changing anything; throws TypeError.
   */
  configure(packs) {
    if (!Array.isArray(packs)) throw new TypeError("resource packs must be an array");
    const base = this.now() - 7 * DAY_MS;
    this.#packs = packs.map((pack, index) => normalizePack(pack, index, base));
  }

  /** The `data` of GET /account/costs for `query` (URLSearchParams); throws ApiError. */
  costs(query) {
    const { start, end, name } = validateCostsQuery(query);
    const packs = this.packs().filter(
      (p) => p.effective_time <= end && p.invalid_time >= start && (name === null || p.resource_pack_name === name),
    );
    return { code: 0, msg: "success", resource_pack_subscribe_infos: packs };
  }

  /** Every pack as Kling shows it, with what remains after the charges so far. */
  packs() {
    const remaining = this.#packs.map((p) => p.total);
    for (const task of this.store.all()) {
      if (task.status !== "succeed") continue;
      let due = Number(taskView(task, "").final_unit_deduction);
      // Spent from what expires first, among the packs valid when the task finished.
      for (const i of this.#spendOrder(task.updatedAt)) {
        const take = Math.min(due, remaining[i]);
        remaining[i] -= take;
        due -= take;
        if (due <= 0) break;
      }
    }
    return this.#packs.map((p, i) => packView(p, remaining[i], this.now()));
  }

  #spendOrder(atMs) {
    return this.#packs
      .map((p, i) => [p, i])
      .filter(([p]) => p.effectiveTime <= atMs && atMs < p.invalidTime)
      .sort(([a], [b]) => a.invalidTime - b.invalidTime)
      .map(([, i]) => i);
  }
}

function normalizePack(pack, index, base) {
  if (pack === null || typeof pack !== "object") throw new TypeError(`resource pack ${index} must be an object`);
  const { name, total, type = "decreasing_total", id, purchaseTime = base, effectiveTime = purchaseTime } = pack;
  const invalidTime = pack.invalidTime ?? effectiveTime + 365 * DAY_MS;
  if (typeof name !== "string" || name === "") throw new TypeError(`resource pack ${index}: name must be a non-empty string`);
  if (!Number.isFinite(total) || total < 0) throw new TypeError(`resource pack ${index}: total must be a number >= 0`);
  if (!TYPES.includes(type)) throw new TypeError(`resource pack ${index}: type must be one of ${TYPES.join(", ")}`);
  for (const [key, value] of Object.entries({ purchaseTime, effectiveTime, invalidTime })) {
    if (!Number.isInteger(value) || value < 0) throw new TypeError(`resource pack ${index}: ${key} must be whole ms >= 0`);
  }
  if (invalidTime <= effectiveTime) throw new TypeError(`resource pack ${index}: invalidTime must be after effectiveTime`);
  const packId = id === undefined ? String(900000000000000001n + BigInt(index)) : String(id);
  return { name, total, type, id: packId, purchaseTime, effectiveTime, invalidTime };
}

function packView(pack, remaining, nowMs) {
  let status = "online";
  if (nowMs < pack.effectiveTime) status = "toBeOnline";
  else if (nowMs >= pack.invalidTime) status = "expired";
  else if (remaining <= 0) status = "runOut";
  return {
    resource_pack_name: pack.name,
    resource_pack_id: pack.id,
    resource_pack_type: pack.type,
    total_quantity: pack.total,
    remaining_quantity: remaining,
    purchase_time: pack.purchaseTime,
    effective_time: pack.effectiveTime,
    invalid_time: pack.invalidTime,
    status,
  };
}

/** start_time and end_time are required whole ms >= 0, start <= end; an empty name counts as absent. */
export function validateCostsQuery(query) {
  const start = timeParam(query, "start_time");
  const end = timeParam(query, "end_time");
  if (start > end) throw new ApiError(1201, "start_time must not be after end_time");
  const name = query.get("resource_pack_name");
  return { start, end, name: name === null || name === "" ? null : name };
}

function timeParam(query, name) {
  const text = query.get(name);
  if (text === null || text === "") throw new ApiError(1201, `${name} is required`);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new ApiError(1201, `${name} must be a Unix timestamp in milliseconds`);
  }
  return Number(text);
}
