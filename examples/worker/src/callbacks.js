// POST /callbacks/:token — Kling's task-status notifications.
//
// With KLING_WEBHOOK_SECRET the Standard Webhooks signature is the proof and the signed task is
// applied. Without it the body is only a hint: the unguessable token says which task to look at,
// and a GET of that task is what gets applied.
import { parseCallback, verifyCallback } from "kling-edge";
import { HttpError, readText, sha256Hex } from "./http.js";
import { withClient } from "./kling.js";
import { applyTask, getToken } from "./records.js";
import { TOKEN_PATTERN } from "./extensions.js";

export async function handleCallback(request, env, token) {
  const notFound = new HttpError(404, "ERR_NOT_FOUND", "unknown callback");
  if (!TOKEN_PATTERN.test(token)) throw notFound;
  const binding = await getToken(env.TASKS, await sha256Hex(token));
  if (!binding) throw notFound;

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
    ensureSameTask(task, binding);
  } else {
    let hint;
    try {
      hint = parseCallback(rawBody);
    } catch {
      throw new HttpError(400, "ERR_BAD_CALLBACK", "the callback is not a Kling task");
    }
    ensureSameTask(hint, binding);
    // The token binds the callback to one task; ask Kling about that task, whatever the body says.
    task = await withClient(env, (kling) => kling.getExtension(binding.task_id ?? binding.external_task_id));
    ensureSameTask(task, binding);
  }
  await applyTask(env.TASKS, task, binding.external_task_id);
  return new Response(null, { status: 204 });
}

/** A token is good for its own task only. */
function ensureSameTask(task, binding) {
  const externalId = task.task_info?.external_task_id;
  const sameTask = binding.task_id === undefined || String(task.task_id) === binding.task_id;
  const sameExternal = externalId === undefined || externalId === binding.external_task_id;
  if (!sameTask || !sameExternal) {
    throw new HttpError(400, "ERR_CALLBACK_MISMATCH", "the callback is about another task than its URL");
  }
}
