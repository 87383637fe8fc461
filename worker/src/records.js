// What the service keeps of a task and how it shows it: ranks that only move forward, the
// service's record, and the Kling-shaped task with the caller's own external id.

import { statusRank } from "./kling.js";

/**
 * The package's status order; the service's own `queued` (reserved, waiting for a slot, not sent)
 * and `pending` (sent, not confirmed) come first, and a status Kling never documented never wins.
 */
export function rankOf(status) {
  if (status === "pending" || status === "queued") return 0;
  return statusRank(String(status)) || -1;
}

const QUEUED_MESSAGE = "queued: waiting for a slot of the account's concurrent tasks";

export const isFinal = (status) => status === "succeed" || status === "failed";

function numberOr(value, fallback) {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

/**
 * Whether a trusted task object may replace the stored one: never backwards, never an equal rank
 * without a newer `updated_at`, never older than the stored one.
 */
export function supersedes(row, task) {
  const rank = rankOf(task.task_status);
  if (rank < 1) return false;
  if (!row.task) return true;
  const currentRank = rankOf(row.status);
  const next = numberOr(task.updated_at, 0);
  const current = row.updated_at ?? 0;
  if (rank < currentRank || next < current) return false;
  if (rank === currentRank && next <= current) return false;
  return true;
}

/** The charge of a finished task in milli-units: `final_unit_deduction`, the reservation when absent. */
export function chargeOf(task, reserved) {
  if (task.task_status !== "succeed") return 0; // Kling does not charge failed tasks
  const units = Number(task.final_unit_deduction);
  return task.final_unit_deduction !== undefined && Number.isFinite(units) && units >= 0 ? Math.round(units * 1000) : reserved;
}

/** The service's record of a stored row (`GET /extensions/:id`). */
export function toRecord(row) {
  const task = row.task ? JSON.parse(row.task) : null;
  const record = {
    task_id: row.task_id ?? null,
    external_task_id: row.client_id,
    status: row.status,
    created_at: numberOr(task?.created_at, row.created_at),
    updated_at: numberOr(task?.updated_at, row.created_at),
  };
  if (row.status === "pending") record.taskMayExist = true;
  if (row.status === "queued") record.message = QUEUED_MESSAGE;
  const video = task?.task_result?.videos?.[0];
  if (video) {
    record.video = { id: video.id, url: video.url, duration: video.duration };
    if (video.watermark_url) record.video.watermark_url = video.watermark_url;
  }
  if (task?.task_status === "failed" && task.task_status_msg) record.message = task.task_status_msg;
  if (task?.final_unit_deduction !== undefined) record.units = task.final_unit_deduction;
  return record;
}

/** Kling's task object as the facade shows it: the caller's external id, never the derived one. */
export function toKlingTask(row) {
  // A create queued for a slot of the account's gate is "submitted" to its caller, under the
  // caller's own id until Kling gives it one.
  const task = row.task
    ? JSON.parse(row.task)
    : { task_id: row.task_id ?? row.client_id, task_status: "submitted", task_status_msg: QUEUED_MESSAGE };
  return { ...task, task_info: { ...(task.task_info ?? {}), external_task_id: row.client_id } };
}

/**
 * Videos a succeeded task produced, with what pricing needs to know of them, and Kling's URL and
 * length of each (a next-shot chain from one sends the one and checks the other).
 */
export function videosOf(row, task) {
  if (task.task_status !== "succeed") return [];
  return (task.task_result?.videos ?? [])
    .filter((v) => v && v.id !== undefined)
    .map((v) => ({
      id: String(v.id),
      model: row.model,
      mode: row.mode,
      url: typeof v.url === "string" ? v.url : null,
      duration: v.duration === undefined || v.duration === null ? null : String(v.duration),
    }));
}
