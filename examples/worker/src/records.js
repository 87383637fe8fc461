// Task records in KV, kept monotonic without transactions.
//
// KV has no compare-and-swap, so a record is not one key that callbacks overwrite: each status
// rank has its own key (`task:<id>:1|2|3`) and the record is the highest rank present. A late or
// repeated `processing` can only ever write rank 2, which never hides a rank-3 `succeed`, even when
// two callbacks race. Within one rank an update is written only when its `updated_at` is newer.

const RANK = { submitted: 1, processing: 2, succeed: 3, failed: 3 };
const TTL_SECONDS = 31 * 24 * 3600; // Kling purges media after 30 days

export function rankOf(status) {
  return RANK[status] ?? 0;
}

/** The record kept for a Kling task object. */
export function toRecord(task, fallbackExternalId) {
  const record = {
    task_id: String(task.task_id),
    external_task_id: task.task_info?.external_task_id ?? fallbackExternalId ?? null,
    status: task.task_status,
    created_at: numberOr(task.created_at, null),
    updated_at: numberOr(task.updated_at, null),
  };
  const video = task.task_result?.videos?.[0];
  if (video) {
    record.video = { id: video.id, url: video.url, duration: video.duration };
    if (video.watermark_url) record.video.watermark_url = video.watermark_url;
  }
  if (task.task_status === "failed" && task.task_status_msg) record.message = task.task_status_msg;
  if (task.final_unit_deduction !== undefined) record.units = task.final_unit_deduction;
  return record;
}

function numberOr(value, fallback) {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

const rankKey = (taskId, rank) => `task:${taskId}:${rank}`;

async function readRanks(kv, taskId) {
  const values = await Promise.all([1, 2, 3].map((rank) => kv.get(rankKey(taskId, rank), "json")));
  return values;
}

function top(ranks) {
  for (let i = ranks.length - 1; i >= 0; i--) if (ranks[i]) return ranks[i];
  return null;
}

/** The current record of a task id, or null. */
export async function readRecord(kv, taskId) {
  return top(await readRanks(kv, taskId));
}

/** The current record by task id or external task id, or null. */
export async function findRecord(kv, id) {
  const byTaskId = await readRecord(kv, id);
  if (byTaskId) return byTaskId;
  const taskId = await kv.get(`ext:${id}`);
  return taskId ? readRecord(kv, taskId) : null;
}

/**
 * Applies what a trusted source (a create answer, a verified callback, a GET) says about a task.
 * Never moves it backwards: a lower rank, an equal rank without a newer `updated_at`, or an older
 * `updated_at` than the current record's is ignored. Resolves `{changed, record}` (the current one).
 */
export async function applyTask(kv, task, fallbackExternalId) {
  const next = toRecord(task, fallbackExternalId);
  const rank = rankOf(next.status);
  const ranks = await readRanks(kv, next.task_id);
  const current = top(ranks);
  if (!rank) return { changed: false, record: current };
  if (current) {
    const currentRank = rankOf(current.status);
    const older = (next.updated_at ?? 0) < (current.updated_at ?? 0);
    const sameRankNotNewer = rank === currentRank && (next.updated_at ?? 0) <= (current.updated_at ?? 0);
    if (rank < currentRank || older || sameRankNotNewer) return { changed: false, record: current };
    next.created_at ??= current.created_at;
    next.external_task_id ??= current.external_task_id;
  }
  const writes = [putWithTtl(kv, rankKey(next.task_id, rank), JSON.stringify(next))];
  if (next.external_task_id && !current) writes.push(putWithTtl(kv, `ext:${next.external_task_id}`, next.task_id));
  await Promise.all(writes);
  return { changed: true, record: next };
}

function putWithTtl(kv, key, value) {
  return kv.put(key, value, { expirationTtl: TTL_SECONDS });
}

// Callback tokens: only their SHA-256 is stored, so reading KV does not let anyone forge a callback.
export function putToken(kv, tokenHash, binding) {
  return putWithTtl(kv, `cb:${tokenHash}`, JSON.stringify(binding));
}

export function getToken(kv, tokenHash) {
  return kv.get(`cb:${tokenHash}`, "json");
}

export function deleteToken(kv, tokenHash) {
  return kv.delete(`cb:${tokenHash}`);
}
