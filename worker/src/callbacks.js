// POST /callbacks/:token — Kling's task-status notifications. The token names its owner (the
// first half) and, by its hash, one task of theirs.
//
// With KLING_WEBHOOK_SECRET the Standard Webhooks signature is the proof and the signed task is
// applied. Without it the body is only a hint: the unguessable token says which task to look at,
// and a GET of that task is what gets applied.
import { HttpError, readText, sha256Hex } from "./http.js";
import { tokenOwner } from "./ids.js";
import { getTask, parseCallback, verifyCallback } from "./kling.js";
import { settle, userStore } from "./tasks.js";

export async function handleCallback(request, ctx, token) {
  const { env } = ctx;
  const notFound = new HttpError(404, "ERR_NOT_FOUND", "unknown callback");
  // Only a token this service issued opens its owner's store: a forged one creates no state.
  const userKey = await tokenOwner(env, token);
  if (!userKey) throw notFound;
  const row = await userStore(env, userKey).byToken(await sha256Hex(token));
  if (!row) throw notFound;

  const rawBody = await readText(request);
  let task;
  if (env.KLING_WEBHOOK_SECRET) {
    try {
      task = verifyCallback(request.headers, rawBody, env.KLING_WEBHOOK_SECRET);
    } catch (err) {
      if (err && err.code === "ERR_KLING_CALLBACK_SIGNATURE") {
        throw new HttpError(401, "ERR_CALLBACK_SIGNATURE", "the callback's signature does not verify");
      }
      if (err && err.code === "ERR_KLING_DECODE") throw new HttpError(400, "ERR_BAD_CALLBACK", "the callback is not a Kling task");
      throw err; // a misconfigured secret: 500
    }
    ensureSameTask(task, row);
  } else {
    let hint;
    try {
      hint = parseCallback(rawBody);
    } catch {
      throw new HttpError(400, "ERR_BAD_CALLBACK", "the callback is not a Kling task");
    }
    ensureSameTask(hint, row);
    // The token binds the callback to one task; ask Kling about that task, whatever the body says.
    task = await getTask(env, row.family, row.task_id ?? row.kling_id);
    ensureSameTask(task, row);
  }
  await settle({ ...ctx, user: { userKey } }, row.family, row.client_id, task);
  return new Response(null, { status: 204 });
}

/** A token is good for its own task only. */
function ensureSameTask(task, row) {
  const externalId = task.task_info?.external_task_id;
  const sameTask = row.task_id === null || String(task.task_id) === row.task_id;
  const sameExternal = externalId === undefined || externalId === row.kling_id;
  if (!sameTask || !sameExternal) {
    throw new HttpError(400, "ERR_CALLBACK_MISMATCH", "the callback is about another task than its URL");
  }
}
